//! Deficit diagnostics (DOMAIN §5; NAO 12.4, LO 5.2, RO 3.2.3): campaigns with their scale,
//! results per person and competency, deficits derived from the latest results, and
//! aggregates without personal data.

mod analytics;
mod deficits;
mod results;

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use crate::disclosure::Place;
pub use analytics::{
    AnalyticsCell, AnalyticsRow, Decisions, GroupBy, aggregate, below_min_group, diagnostics_analytics, protected,
    share_percent, territorial,
};
pub use deficits::{Deficit, DeficitStatus, ResultRef, derive_deficits, person_deficits};
pub use results::READERS as RESULT_READERS;
pub use results::{
    RESULT_WRITERS, RecordSummary, ResultFilter, ResultInput, list_results, record_result, record_results,
    validate_result,
};

use super::{
    competencies::{CompetencyRepository, NodeKind},
    lost, required, text,
};
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Role, Scope},
    error::Errors,
    organizations::OrganizationRepository,
    page::{Page, PageRequest},
};

wire_enum! {
    /// Instrument or source of a diagnostic campaign.
    Instrument {
        /// Процедура федерального оператора.
        FederalProcedure = "federal_procedure",
        /// Региональный диагностический срез.
        RegionalTest = "regional_test",
        /// Проверочная работа.
        CheckingWork = "checking_work",
        /// Анализ результатов ГИА.
        GiaAnalysis = "gia_analysis",
        /// Самооценка.
        SelfAssessment = "self_assessment",
    }
}

wire_enum! {
    /// Who a campaign diagnoses.
    TargetGroup {
        /// Педагогические работники.
        Teachers = "teachers",
        /// Управленческие кадры.
        Managers = "managers",
        /// Педагоги и управленцы.
        TeachersAndManagers = "teachers_and_managers",
        /// Молодые педагоги.
        YoungSpecialists = "young_specialists",
    }
}

/// How results are measured, and the threshold below which a result is a deficit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scale {
    /// Points from 0 to `max`; a score below `threshold` is a deficit.
    Points {
        /// Maximum score.
        max: f64,
        /// Lowest score at level.
        threshold: f64,
    },
    /// Ordered levels, lowest first; a level below `threshold` is a deficit.
    Levels {
        /// Levels, lowest first.
        levels: Vec<String>,
        /// Lowest level at level.
        threshold: String,
    },
}

/// A scale as a client describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScaleInput {
    /// `points` or `levels`.
    pub kind: Option<String>,
    /// Maximum score (points).
    pub max: Option<f64>,
    /// Levels, lowest first (levels).
    pub levels: Option<Vec<String>>,
    /// Lowest score at level (points).
    pub threshold: Option<f64>,
    /// Lowest level at level (levels).
    pub threshold_level: Option<String>,
}

impl From<&Scale> for ScaleInput {
    fn from(s: &Scale) -> Self {
        match s {
            Scale::Points { max, threshold } => ScaleInput {
                kind: Some("points".into()),
                max: Some(*max),
                threshold: Some(*threshold),
                ..Default::default()
            },
            Scale::Levels { levels, threshold } => ScaleInput {
                kind: Some("levels".into()),
                levels: Some(levels.clone()),
                threshold_level: Some(threshold.clone()),
                ..Default::default()
            },
        }
    }
}

impl Scale {
    /// Validates a scale, naming fields under `prefix`.
    pub fn parse(e: &mut Errors, prefix: &str, s: ScaleInput) -> Option<Scale> {
        let f = |n: &str| format!("{prefix}.{n}");
        match s.kind.as_deref() {
            None => {
                e.push(FieldError::required(f("kind")));
                None
            }
            Some("points") => {
                let max = required(e, &f("max"), s.max);
                let threshold = required(e, &f("threshold"), s.threshold);
                if let Some(m) = max.filter(|m| !m.is_finite() || *m <= 0.0) {
                    e.push(FieldError::new(
                        f("max"),
                        "out_of_range",
                        Msg::new(format!("Максимум должен быть больше нуля: {m}"), "The maximum must be positive"),
                    ));
                    return None;
                }
                match (max, threshold) {
                    (Some(max), Some(t)) if t.is_finite() && t > 0.0 && t <= max => {
                        Some(Scale::Points { max, threshold: t })
                    }
                    (Some(_), Some(_)) => {
                        e.push(FieldError::new(
                            f("threshold"),
                            "out_of_range",
                            Msg::new("Порог — от 0 (не включая) до максимума", "The threshold must be in (0, max]"),
                        ));
                        None
                    }
                    _ => None,
                }
            }
            Some("levels") => {
                let levels: Vec<String> =
                    required(e, &f("levels"), s.levels)?.into_iter().map(|l| l.trim().to_owned()).collect();
                let threshold = required(e, &f("threshold_level"), s.threshold_level)?.trim().to_owned();
                let unique: HashSet<&String> = levels.iter().collect();
                if levels.len() < 2 || unique.len() != levels.len() || levels.iter().any(|l| l.is_empty()) {
                    e.push(FieldError::new(
                        f("levels"),
                        "invalid_levels",
                        Msg::new(
                            "Нужно не меньше двух различных непустых уровней",
                            "At least two distinct non-empty levels are needed",
                        ),
                    ));
                    return None;
                }
                if levels.first() == Some(&threshold) || !levels.contains(&threshold) {
                    e.push(FieldError::new(
                        f("threshold_level"),
                        "invalid_threshold",
                        Msg::new(
                            "Порог — один из уровней шкалы, кроме низшего",
                            "The threshold must be one of the levels above the lowest",
                        ),
                    ));
                    return None;
                }
                Some(Scale::Levels { levels, threshold })
            }
            Some(_) => {
                e.push(FieldError::new(
                    f("kind"),
                    "invalid_value",
                    Msg::new("Вид шкалы: points или levels", "The scale kind is points or levels"),
                ));
                None
            }
        }
    }

    /// Whether a (checked) score or level lies below the threshold.
    pub fn is_deficit(&self, score: Option<f64>, level: Option<&str>) -> bool {
        match self {
            Scale::Points { threshold, .. } => score.is_some_and(|s| s < *threshold),
            Scale::Levels { levels, threshold } => {
                let pos = |l: &str| levels.iter().position(|x| x == l);
                match (level.and_then(pos), pos(threshold)) {
                    (Some(a), Some(t)) => a < t,
                    _ => false,
                }
            }
        }
    }
}

/// A diagnostic campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct Campaign {
    /// Id (UUID v7).
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
    /// Target group described (e.g. «учителя математики 5–9 классов»).
    pub target_description: Option<String>,
    /// Scale.
    pub scale: Scale,
    /// Competencies covered.
    pub competency_ids: Vec<Uuid>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version.
    pub version: i64,
}

/// A campaign as a client describes it.
#[derive(Debug, Clone, Default)]
pub struct CampaignInput {
    /// Name.
    pub name: Option<String>,
    /// Instrument.
    pub instrument: Option<Instrument>,
    /// First day.
    pub period_start: Option<NaiveDate>,
    /// Last day.
    pub period_end: Option<NaiveDate>,
    /// Organiser.
    pub organizer_id: Option<Uuid>,
    /// Target group.
    pub target_group: Option<TargetGroup>,
    /// Target group described.
    pub target_description: Option<String>,
    /// Scale.
    pub scale: Option<ScaleInput>,
    /// Competencies covered.
    pub competency_ids: Vec<Uuid>,
}

impl From<&Campaign> for CampaignInput {
    fn from(c: &Campaign) -> Self {
        Self {
            name: Some(c.name.clone()),
            instrument: Some(c.instrument),
            period_start: Some(c.period_start),
            period_end: Some(c.period_end),
            organizer_id: Some(c.organizer_id),
            target_group: Some(c.target_group),
            target_description: c.target_description.clone(),
            scale: Some(ScaleInput::from(&c.scale)),
            competency_ids: c.competency_ids.clone(),
        }
    }
}

/// A validated campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCampaign {
    /// Name.
    pub name: String,
    /// Instrument.
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
    pub scale: Scale,
    /// Competencies covered.
    pub competency_ids: Vec<Uuid>,
}

/// Filters of the campaign list.
#[derive(Debug, Clone, Default)]
pub struct CampaignFilter {
    /// Instrument.
    pub instrument: Option<Instrument>,
    /// Organiser.
    pub organizer_id: Option<Uuid>,
}

/// One result of a person in a competency.
#[derive(Debug, Clone, PartialEq)]
pub struct DiagnosticResult {
    /// Id.
    pub id: Uuid,
    /// Campaign.
    pub campaign_id: Uuid,
    /// Person.
    pub person_id: Uuid,
    /// Competency.
    pub competency_id: Uuid,
    /// Score (points scales).
    pub score: Option<f64>,
    /// Level (level scales).
    pub level: Option<String>,
    /// Date of the diagnostic.
    pub assessed_on: NaiveDate,
    /// Below the campaign's threshold.
    pub deficit: bool,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version.
    pub version: i64,
}

/// A validated result, ready to upsert on (campaign, person, competency).
#[derive(Debug, Clone, PartialEq)]
pub struct NewResult {
    /// Person.
    pub person_id: Uuid,
    /// Competency.
    pub competency_id: Uuid,
    /// Score.
    pub score: Option<f64>,
    /// Level.
    pub level: Option<String>,
    /// Date.
    pub assessed_on: NaiveDate,
    /// Below threshold.
    pub deficit: bool,
}

/// A mentor near a person whose latest results show competencies at level.
#[derive(Debug, Clone, PartialEq)]
pub struct MentorCandidate {
    /// The mentor.
    pub person_id: Uuid,
    /// «Фамилия Имя Отчество».
    pub full_name: String,
    /// Their organisation.
    pub organization_id: Uuid,
    /// Competencies (of those asked) whose latest result is at level.
    pub competency_ids: Vec<Uuid>,
    /// The results that show it (their reads are audited).
    pub result_ids: Vec<Uuid>,
}

/// Storage of campaigns and results; changes are journaled, results are scoped by person.
#[async_trait]
pub trait DiagnosticRepository: Send + Sync {
    /// Reads a campaign.
    async fn get_campaign(&self, id: Uuid) -> DomainResult<Campaign>;
    /// Reads the campaigns with these ids that exist.
    async fn get_campaigns(&self, ids: &[Uuid]) -> DomainResult<Vec<Campaign>>;
    /// Lists campaigns.
    async fn list_campaigns(&self, filter: &CampaignFilter, page: PageRequest) -> DomainResult<Page<Campaign>>;
    /// Creates a campaign.
    async fn create_campaign(&self, ctx: &Ctx, new: NewCampaign) -> DomainResult<Campaign>;
    /// Replaces a campaign when the version matches.
    async fn update_campaign(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        new: NewCampaign,
    ) -> DomainResult<Campaign>;
    /// Competencies of the campaign that already have results.
    async fn competencies_with_results(&self, campaign_id: Uuid) -> DomainResult<Vec<Uuid>>;
    /// Which of these persons the scope shows.
    async fn visible_persons(&self, scope: &Scope, ids: &[Uuid]) -> DomainResult<HashSet<Uuid>>;
    /// Upserts results on (campaign, person, competency) in one transaction; a dry run rolls back.
    async fn upsert_results(
        &self,
        ctx: &Ctx,
        campaign_id: Uuid,
        results: Vec<NewResult>,
        dry_run: bool,
    ) -> DomainResult<RecordSummary>;
    /// Lists results of persons the scope shows.
    async fn list_results(
        &self,
        scope: &Scope,
        filter: &ResultFilter,
        page: PageRequest,
    ) -> DomainResult<Page<DiagnosticResult>>;
    /// Every result of a person (the caller checked visibility).
    async fn person_results(&self, person_id: Uuid) -> DomainResult<Vec<DiagnosticResult>>;
    /// Persons with role mentor in the municipality of `near` (its organisation when it has no
    /// municipality), other than `near`, whose latest result in some of the competencies is at level.
    async fn mentors_at_level(&self, near: Uuid, competency_ids: &[Uuid]) -> DomainResult<Vec<MentorCandidate>>;
    /// Results dated in the period for persons the scope shows, with their territory.
    async fn analytics_rows(
        &self,
        scope: &Scope,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        group_by: GroupBy,
    ) -> DomainResult<Vec<AnalyticsRow>>;
    /// Every result of one campaign grouped by municipality (`group_key` = municipality code),
    /// for persons working in the region and municipality given (every territory when `None`).
    async fn campaign_rows(
        &self,
        campaign_id: Uuid,
        region_code: Option<&str>,
        municipality_code: Option<&str>,
    ) -> DomainResult<Vec<AnalyticsRow>>;
}

const WRITERS: &[Role] = &[Role::Admin, Role::Operator, Role::Municipal];
/// Roles that read campaigns (no personal data): every role.
pub const CAMPAIGN_READERS: &[Role] = &Role::ALL;

async fn validate(
    comps: &dyn CompetencyRepository,
    orgs: &dyn OrganizationRepository,
    ctx: &Ctx,
    input: CampaignInput,
    allowed_retired: &[Uuid],
) -> DomainResult<NewCampaign> {
    let mut e = Errors::new();
    let name = text(&mut e, "name", input.name, NAME_MAX, true);
    let instrument = required(&mut e, "instrument", input.instrument);
    let start = required(&mut e, "period_start", input.period_start);
    let end = required(&mut e, "period_end", input.period_end);
    if let (Some(s), Some(t)) = (start, end)
        && t < s
    {
        e.push(FieldError::new(
            "period_end",
            "before_start",
            Msg::new("Окончание раньше начала", "The period ends before it starts"),
        ));
    }
    let organizer_id = required(&mut e, "organizer_id", input.organizer_id);
    if let Some(o) = organizer_id {
        match orgs.get(&ctx.actor.scope(), o).await {
            Ok(_) => {}
            Err(DomainError::NotFound) => e.push(FieldError::new(
                "organizer_id",
                "not_found",
                Msg::new("Организация не найдена", "The organisation does not exist"),
            )),
            Err(other) => return Err(other),
        }
    }
    let target_group = required(&mut e, "target_group", input.target_group);
    let target_description =
        text(&mut e, "target_description", input.target_description, TARGET_DESCRIPTION_MAX, false);
    let scale = required(&mut e, "scale", input.scale).and_then(|s| Scale::parse(&mut e, "scale", s));
    if input.competency_ids.is_empty() {
        e.push(FieldError::required("competency_ids"));
    }
    let found = comps.get_many(&input.competency_ids).await?;
    let mut seen = HashSet::new();
    for (i, id) in input.competency_ids.iter().enumerate() {
        let field = format!("competency_ids[{i}]");
        if !seen.insert(*id) {
            e.push(FieldError::new(field, "duplicate", Msg::new("Повторяется", "Listed twice")));
            continue;
        }
        match found.iter().find(|c| c.id == *id) {
            None => {
                e.push(FieldError::new(field, "not_found", Msg::new("Компетенция не найдена", "Unknown competency")))
            }
            Some(c) if c.node != NodeKind::Competency => e.push(FieldError::new(
                field,
                "not_a_competency",
                Msg::new("Это область, а не компетенция", "This is an area, not a competency"),
            )),
            Some(c) if c.status == super::competencies::CompetencyStatus::Retired && !allowed_retired.contains(id) => e
                .push(FieldError::new(
                    field,
                    "retired",
                    Msg::new("Компетенция выведена из употребления", "The competency is retired"),
                )),
            Some(_) => {}
        }
    }
    e.finish()?;
    match (name, instrument, start, end, organizer_id, target_group, scale) {
        (
            Some(name),
            Some(instrument),
            Some(period_start),
            Some(period_end),
            Some(organizer_id),
            Some(tg),
            Some(scale),
        ) => Ok(NewCampaign {
            name,
            instrument,
            period_start,
            period_end,
            organizer_id,
            target_group: tg,
            target_description,
            scale,
            competency_ids: input.competency_ids,
        }),
        _ => Err(lost("campaign")),
    }
}

/// The repositories creating and changing a campaign use (the `Deps` style, docs/API-DESIGN.md).
#[derive(Clone, Copy)]
pub struct Deps<'a> {
    /// Campaigns and results.
    pub diagnostics: &'a dyn DiagnosticRepository,
    /// The competency framework (the campaign's competencies).
    pub competencies: &'a dyn CompetencyRepository,
    /// Organisations (the organiser, within the caller's scope).
    pub orgs: &'a dyn OrganizationRepository,
}

/// Creates a campaign organised by an organisation inside the caller's scope.
pub async fn create_campaign(deps: Deps<'_>, ctx: &Ctx, input: CampaignInput) -> DomainResult<Campaign> {
    let Deps { diagnostics: repo, competencies: comps, orgs } = deps;
    ctx.actor.require(WRITERS)?;
    let new = validate(comps, orgs, ctx, input, &[]).await?;
    repo.create_campaign(ctx, new).await
}

/// Reads a campaign (no personal data: every role).
pub async fn get_campaign(repo: &dyn DiagnosticRepository, ctx: &Ctx, id: Uuid) -> DomainResult<Campaign> {
    ctx.actor.require(CAMPAIGN_READERS)?;
    repo.get_campaign(id).await
}

/// Lists campaigns.
pub async fn list_campaigns(
    repo: &dyn DiagnosticRepository,
    ctx: &Ctx,
    filter: &CampaignFilter,
    page: PageRequest,
) -> DomainResult<Page<Campaign>> {
    ctx.actor.require(CAMPAIGN_READERS)?;
    repo.list_campaigns(filter, page).await
}

/// Changes a campaign. Once results exist, its scale is fixed and competencies with results
/// stay (409): deficits already derived must keep their meaning.
pub async fn update_campaign(
    deps: Deps<'_>,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    patch: impl FnOnce(CampaignInput) -> DomainResult<CampaignInput>,
) -> DomainResult<Campaign> {
    let Deps { diagnostics: repo, competencies: comps, orgs } = deps;
    ctx.actor.require(WRITERS)?;
    let current = repo.get_campaign(id).await?;
    if ctx.actor.role == Role::Municipal && orgs.get(&ctx.actor.scope(), current.organizer_id).await.is_err() {
        return Err(DomainError::NotFound);
    }
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    let new = validate(comps, orgs, ctx, patch(CampaignInput::from(&current))?, &current.competency_ids).await?;
    let used = repo.competencies_with_results(id).await?;
    if !used.is_empty() {
        if new.scale != current.scale {
            return Err(DomainError::conflict(
                "scale",
                Msg::new("По кампании уже есть результаты: шкалу менять нельзя", "Results exist: the scale is fixed"),
            ));
        }
        if used.iter().any(|c| !new.competency_ids.contains(c)) {
            return Err(DomainError::conflict(
                "competency_ids",
                Msg::new(
                    "Нельзя убрать компетенцию, по которой есть результаты",
                    "A competency with results cannot be removed",
                ),
            ));
        }
    }
    repo.update_campaign(ctx, id, expected_version, new).await
}

/// The longest name of a diagnostic, in characters.
pub const NAME_MAX: usize = 500;
/// The longest description of its target group, in characters.
pub const TARGET_DESCRIPTION_MAX: usize = 1000;
/// The most competencies a diagnostic measures.
pub const COMPETENCIES_MAX: usize = 200;
/// The most results in one batch.
pub const RESULTS_MAX: usize = 5000;

/// The length limits of a diagnostic's fields, by field: the contract states the same numbers
/// (`DiagnosticWrite`; `ResultBatch` for [`RESULT_BATCH_LIMITS`]), which a test compares with
/// these lists.
pub const LIMITS: &[(&str, usize)] =
    &[("name", NAME_MAX), ("target_description", TARGET_DESCRIPTION_MAX), ("competency_ids", COMPETENCIES_MAX)];
/// The length limits of a batch of results, by field.
pub const RESULT_BATCH_LIMITS: &[(&str, usize)] = &[("items", RESULTS_MAX)];
