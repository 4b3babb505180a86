use crate::dto::limit;
use chrono::{DateTime, NaiveDate, Utc};
use rsnms_domain::development::diagnostics;
use rsnms_domain::development::diagnostics::{
    AnalyticsCell, Campaign, CampaignInput, Deficit, DeficitStatus, DiagnosticResult, GroupBy, Instrument,
    RecordSummary, ResultInput, ResultRef, Scale, ScaleInput, TargetGroup,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// Kind of a scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScaleKind {
    /// Баллы от 0 до максимума.
    Points,
    /// Упорядоченные уровни.
    Levels,
}

/// A scale and its deficit threshold. Points: `max` and `threshold` (a score below it is a
/// deficit). Levels: `levels` lowest first and `threshold_level` (a level below it is a deficit).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ScaleWrite {
    /// `points` or `levels`.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub kind: Option<ScaleKind>,
    /// Maximum score (points).
    #[schema(example = 100)]
    pub max: Option<f64>,
    /// Lowest score at level (points).
    #[schema(example = 60)]
    pub threshold: Option<f64>,
    /// Levels, lowest first (levels).
    #[validate(length(max = 20))]
    pub levels: Option<Vec<String>>,
    /// Lowest level at level (levels).
    pub threshold_level: Option<String>,
}

impl From<ScaleWrite> for ScaleInput {
    fn from(s: ScaleWrite) -> Self {
        ScaleInput {
            kind: s.kind.map(|k| match k {
                ScaleKind::Points => "points".into(),
                ScaleKind::Levels => "levels".into(),
            }),
            max: s.max,
            levels: s.levels,
            threshold: s.threshold,
            threshold_level: s.threshold_level,
        }
    }
}

impl From<ScaleInput> for ScaleWrite {
    fn from(s: ScaleInput) -> Self {
        ScaleWrite {
            kind: s.kind.as_deref().map(|k| if k == "levels" { ScaleKind::Levels } else { ScaleKind::Points }),
            max: s.max,
            threshold: s.threshold,
            levels: s.levels,
            threshold_level: s.threshold_level,
        }
    }
}

/// A scale as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScaleView {
    /// `points` or `levels`.
    pub kind: ScaleKind,
    /// Maximum score (points).
    pub max: Option<f64>,
    /// Lowest score at level (points).
    pub threshold: Option<f64>,
    /// Levels, lowest first (levels).
    pub levels: Option<Vec<String>>,
    /// Lowest level at level (levels).
    pub threshold_level: Option<String>,
}

impl From<Scale> for ScaleView {
    fn from(s: Scale) -> Self {
        match s {
            Scale::Points { max, threshold } => ScaleView {
                kind: ScaleKind::Points,
                max: Some(max),
                threshold: Some(threshold),
                levels: None,
                threshold_level: None,
            },
            Scale::Levels { levels, threshold } => ScaleView {
                kind: ScaleKind::Levels,
                max: None,
                threshold: None,
                levels: Some(levels),
                threshold_level: Some(threshold),
            },
        }
    }
}

/// A diagnostic campaign as a client writes it (create; merge-patched for updates).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct DiagnosticWrite {
    /// Name (наименование диагностики).
    #[validate(required, length(min = 1, max = limit(diagnostics::NAME_MAX)))]
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 500,
        example = "Диагностика цифровых компетенций 2025"
    )]
    pub name: Option<String>,
    /// Instrument or source.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub instrument: Option<Instrument>,
    /// First day (`YYYY-MM-DD`).
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub period_start: Option<NaiveDate>,
    /// Last day.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub period_end: Option<NaiveDate>,
    /// Organiser (организатор).
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub organizer_id: Option<Uuid>,
    /// Target group (целевая группа).
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub target_group: Option<TargetGroup>,
    /// Target group described.
    #[validate(length(max = limit(diagnostics::TARGET_DESCRIPTION_MAX)))]
    #[schema(max_length = 1000)]
    pub target_description: Option<String>,
    /// Scale with its deficit threshold; fixed once results exist.
    #[validate(required, nested)]
    #[schema(required = true, nullable = false)]
    pub scale: Option<ScaleWrite>,
    /// Competencies covered (at least one; active competencies, not areas).
    #[serde(default)]
    #[validate(length(max = limit(diagnostics::COMPETENCIES_MAX)))]
    #[schema(max_items = 200)]
    pub competency_ids: Vec<Uuid>,
}

impl crate::extract::ValueChecks for DiagnosticWrite {}

impl From<DiagnosticWrite> for CampaignInput {
    fn from(w: DiagnosticWrite) -> Self {
        CampaignInput {
            name: w.name,
            instrument: w.instrument,
            period_start: w.period_start,
            period_end: w.period_end,
            organizer_id: w.organizer_id,
            target_group: w.target_group,
            target_description: w.target_description,
            scale: w.scale.map(ScaleInput::from),
            competency_ids: w.competency_ids,
        }
    }
}

impl From<CampaignInput> for DiagnosticWrite {
    fn from(i: CampaignInput) -> Self {
        DiagnosticWrite {
            name: i.name,
            instrument: i.instrument,
            period_start: i.period_start,
            period_end: i.period_end,
            organizer_id: i.organizer_id,
            target_group: i.target_group,
            target_description: i.target_description,
            scale: i.scale.map(ScaleWrite::from),
            competency_ids: i.competency_ids,
        }
    }
}

/// A diagnostic campaign.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiagnosticView {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Instrument or source.
    pub instrument: Instrument,
    /// First day.
    pub period_start: NaiveDate,
    /// Last day.
    pub period_end: NaiveDate,
    /// Organiser.
    pub organizer_id: Uuid,
    /// Target group.
    pub target_group: TargetGroup,
    /// Target group described.
    pub target_description: Option<String>,
    /// Scale.
    pub scale: ScaleView,
    /// Competencies covered.
    pub competency_ids: Vec<Uuid>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version; the `ETag`.
    pub version: i64,
}

impl From<Campaign> for DiagnosticView {
    fn from(c: Campaign) -> Self {
        Self {
            id: c.id,
            name: c.name,
            instrument: c.instrument,
            period_start: c.period_start,
            period_end: c.period_end,
            organizer_id: c.organizer_id,
            target_group: c.target_group,
            target_description: c.target_description,
            scale: c.scale.into(),
            competency_ids: c.competency_ids,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

/// One result in a batch: a score (points scale) or a level (levels scale).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultItem {
    /// Person assessed.
    #[schema(required = true, nullable = false)]
    pub person_id: Option<Uuid>,
    /// Competency (one the campaign covers).
    #[schema(required = true, nullable = false)]
    pub competency_id: Option<Uuid>,
    /// Score, 0…max (points scales).
    pub score: Option<f64>,
    /// Level (levels scales).
    pub level: Option<String>,
    /// Date of the diagnostic, within the campaign's period.
    #[schema(required = true, nullable = false)]
    pub assessed_on: Option<NaiveDate>,
}

impl From<ResultItem> for ResultInput {
    fn from(i: ResultItem) -> Self {
        ResultInput {
            person_id: i.person_id,
            competency_id: i.competency_id,
            score: i.score,
            level: i.level,
            assessed_on: i.assessed_on,
        }
    }
}

/// A batch of results: all or nothing, idempotent on (campaign, person, competency).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ResultBatch {
    /// The results (1–5000).
    #[validate(required, length(min = 1, max = limit(diagnostics::RESULTS_MAX)))]
    #[schema(required = true, nullable = false, min_items = 1, max_items = 5000)]
    pub items: Option<Vec<ResultItem>>,
    /// Check and count only; store nothing.
    #[serde(default)]
    pub dry_run: bool,
}

impl crate::extract::ValueChecks for ResultBatch {}

/// What a batch did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordSummaryView {
    /// New results.
    pub created: u64,
    /// Results whose value changed.
    pub updated: u64,
    /// Results sent again unchanged.
    pub unchanged: u64,
    /// Nothing was stored (dry run).
    pub dry_run: bool,
}

impl From<RecordSummary> for RecordSummaryView {
    fn from(s: RecordSummary) -> Self {
        Self { created: s.created, updated: s.updated, unchanged: s.unchanged, dry_run: s.dry_run }
    }
}

/// A result of a person in a competency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultView {
    /// Id.
    pub id: Uuid,
    /// Campaign.
    pub campaign_id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// Competency.
    pub competency_id: Uuid,
    /// Score.
    pub score: Option<f64>,
    /// Level.
    pub level: Option<String>,
    /// Date of the diagnostic.
    pub assessed_on: NaiveDate,
    /// Below the campaign's threshold (дефицит).
    pub deficit: bool,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version.
    pub version: i64,
}

impl From<DiagnosticResult> for ResultView {
    fn from(r: DiagnosticResult) -> Self {
        Self {
            id: r.id,
            campaign_id: r.campaign_id,
            person_id: r.person_id,
            competency_id: r.competency_id,
            score: r.score,
            level: r.level,
            assessed_on: r.assessed_on,
            deficit: r.deficit,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// The result a deficit refers to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultRefView {
    /// The result.
    pub result_id: Uuid,
    /// Its campaign (the source).
    pub campaign_id: Uuid,
    /// Date of the diagnostic.
    pub assessed_on: NaiveDate,
    /// Score.
    pub score: Option<f64>,
    /// Level.
    pub level: Option<String>,
}

impl From<ResultRef> for ResultRefView {
    fn from(r: ResultRef) -> Self {
        Self {
            result_id: r.result_id,
            campaign_id: r.campaign_id,
            assessed_on: r.assessed_on,
            score: r.score,
            level: r.level,
        }
    }
}

/// A deficit (профессиональный дефицит), derived from the latest result in a competency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeficitView {
    /// Competency.
    pub competency_id: Uuid,
    /// `open`, or `closed` by a later result at level.
    pub status: DeficitStatus,
    /// The result that showed it.
    pub source: ResultRefView,
    /// The later result that closed it.
    pub closed_by: Option<ResultRefView>,
}

impl From<Deficit> for DeficitView {
    fn from(d: Deficit) -> Self {
        Self {
            competency_id: d.competency_id,
            status: d.status,
            source: d.source.into(),
            closed_by: d.closed_by.map(Into::into),
        }
    }
}

/// A person's deficits.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonDeficits {
    /// Person.
    pub person_id: Uuid,
    /// Deficits, by competency.
    pub items: Vec<DeficitView>,
}

/// One cell of the aggregate: a competency in a territory or a teaching subject.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnalyticsCellView {
    /// Competency.
    pub competency_id: Uuid,
    /// Competency code.
    pub competency_code: String,
    /// Competency name.
    pub competency_name: String,
    /// Municipality code, organisation id or teaching subject (`null`: regional level, or — by
    /// subject — persons with no subject recorded).
    pub group_key: Option<String>,
    /// Municipality or organisation name, or the subject.
    pub group_name: Option<String>,
    /// Persons assessed (`null` when suppressed).
    pub assessed: Option<u64>,
    /// Persons whose latest result in the period is a deficit (`null` when suppressed).
    pub with_deficit: Option<u64>,
    /// Share with a deficit, per cent (`null` when suppressed).
    pub share_percent: Option<f64>,
    /// Withheld by disclosure control: fewer persons than the minimum group size, or a
    /// complement of such a group (its numbers would give it away by subtraction).
    pub suppressed: bool,
}

impl From<AnalyticsCell> for AnalyticsCellView {
    fn from(c: AnalyticsCell) -> Self {
        Self {
            competency_id: c.competency_id,
            competency_code: c.competency_code,
            competency_name: c.competency_name,
            group_key: c.group_key,
            group_name: c.group_name,
            assessed: c.assessed,
            with_deficit: c.with_deficit,
            share_percent: c.share_percent,
            suppressed: c.suppressed,
        }
    }
}

/// Deficits by competency × territory or teaching subject: counts only, no personal data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiagnosticsAnalytics {
    /// Period start (inclusive), if given.
    pub period_from: Option<NaiveDate>,
    /// Period end (inclusive), if given.
    pub period_to: Option<NaiveDate>,
    /// `municipality`, `organization` or `subject`.
    pub group_by: GroupBy,
    /// Groups smaller than this are suppressed (`RSNMS_MIN_GROUP_SIZE`).
    pub min_group_size: u64,
    /// Cells, by competency code and territory.
    pub items: Vec<AnalyticsCellView>,
}

crate::list_schema!(DiagnosticList, DiagnosticView, "A page of diagnostic campaigns.");
crate::list_schema!(ResultList, ResultView, "A page of diagnostic results.");
