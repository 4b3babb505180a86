use chrono::{DateTime, NaiveDate, Utc};
use rsnms_domain::personal_data::{
    BasisKind, Category, ConsentForm, ProcessingBasis, Purpose, RetentionReport, SweepPlan,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::limit;
pub use crate::dto::personal_data::BasisWrite;
use crate::extract::ValueChecks;
use rsnms_domain::personal_data;

/// A purpose of processing (цель обработки персональных данных).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PurposeView {
    /// Code, e.g. `federal_exchange`.
    #[schema(example = "federal_exchange")]
    pub code: String,
    /// Russian name.
    pub name_ru: String,
    /// English name.
    pub name_en: String,
    /// Shipped with the system.
    pub shipped: bool,
}

impl From<Purpose> for PurposeView {
    fn from(p: Purpose) -> Self {
        Self { code: p.code, name_ru: p.name_ru, name_en: p.name_en, shipped: p.shipped }
    }
}

/// The purposes of processing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PurposeList {
    /// Every purpose, by code.
    pub items: Vec<PurposeView>,
}

/// A new purpose of processing (administrators).
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PurposeWrite {
    /// Code: 2–64 characters `a-z`, `0-9`, `_`.
    #[validate(length(min = 2, max = limit(personal_data::PURPOSE_CODE_MAX)))]
    #[schema(min_length = 2, max_length = 64, pattern = "^[a-z0-9_]{2,64}$", example = "mentoring")]
    pub code: String,
    /// Russian name.
    #[validate(length(min = 1, max = limit(personal_data::PURPOSE_NAME_MAX)))]
    #[schema(min_length = 1, max_length = 200, example = "Наставничество")]
    pub name_ru: String,
    /// English name (default: the Russian one).
    #[validate(length(max = limit(personal_data::PURPOSE_NAME_MAX)))]
    #[schema(max_length = 200, example = "Mentoring")]
    pub name_en: Option<String>,
}

impl ValueChecks for PurposeWrite {}

/// A recorded basis of processing a person's data for one purpose.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BasisView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The person (субъект).
    pub person_id: Uuid,
    /// Purpose code.
    pub purpose: String,
    /// The basis.
    pub kind: BasisKind,
    /// A consent's form.
    pub consent_form: Option<ConsentForm>,
    /// The document reference.
    pub document_ref: Option<String>,
    /// The act of a basis other than consent.
    pub legal_act: Option<String>,
    /// Given / in force from.
    pub given_on: NaiveDate,
    /// Valid until (inclusive).
    pub valid_until: Option<NaiveDate>,
    /// Who recorded it (account).
    pub recorded_by: String,
    /// When (UTC).
    pub recorded_at: DateTime<Utc>,
    /// Withdrawn (отозвано) on: processing for the purpose stopped that day.
    pub withdrawn_on: Option<NaiveDate>,
    /// Who recorded the withdrawal.
    pub withdrawn_by: Option<String>,
    /// In force today.
    pub in_force: bool,
    /// Version.
    pub version: i64,
}

impl BasisView {
    /// The view of a basis, in force or not today.
    pub fn new(b: ProcessingBasis) -> Self {
        let in_force = b.in_force_today();
        Self {
            id: b.id,
            person_id: b.person_id,
            purpose: b.purpose,
            kind: b.kind,
            consent_form: b.consent_form,
            document_ref: b.document_ref,
            legal_act: b.legal_act,
            given_on: b.given_on,
            valid_until: b.valid_until,
            recorded_by: b.recorded_by,
            recorded_at: b.recorded_at,
            withdrawn_on: b.withdrawn_on,
            withdrawn_by: b.withdrawn_by,
            in_force,
            version: b.version,
        }
    }
}

/// The bases of a person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BasisList {
    /// Oldest first.
    pub items: Vec<BasisView>,
}

/// A person in the depersonalisation plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlannedDepersonalisation {
    /// The person (id only: the plan names nobody).
    pub person_id: Uuid,
    /// The first day no basis of hers was in force.
    pub processing_stopped_on: NaiveDate,
    /// The day she is (or was) due for depersonalisation: that day plus the term.
    pub due_on: NaiveDate,
}

/// What the depersonalisation job would do (dry run): who is due now, and who falls due
/// within the next 30 days (the retention report).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DepersonalisationPlan {
    /// The day judged on.
    pub today: NaiveDate,
    /// Days from the end of processing to depersonalisation (`RSNMS_PD_DEPERSONALISE_AFTER_DAYS`).
    pub term_days: u32,
    /// Always `true`: this request changes nothing.
    pub dry_run: bool,
    /// Due now: depersonalised at the job's next run (at most 500).
    pub due: Vec<PlannedDepersonalisation>,
    /// Falling due within the next 30 days (at most 500).
    pub upcoming: Vec<PlannedDepersonalisation>,
}

impl From<SweepPlan> for DepersonalisationPlan {
    fn from(p: SweepPlan) -> Self {
        let view = |(c, due_on): (rsnms_domain::personal_data::SweepCandidate, NaiveDate)| PlannedDepersonalisation {
            person_id: c.person_id,
            processing_stopped_on: c.processing_stopped_on,
            due_on,
        };
        Self {
            today: p.today,
            term_days: p.term_days,
            dry_run: true,
            due: p.due.into_iter().map(view).collect(),
            upcoming: p.upcoming.into_iter().map(view).collect(),
        }
    }
}

/// A category of personal data with a retention period of its own.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RetentionCategory {
    /// Identity, СНИЛС, birth date, contacts of a person: depersonalised after the term that
    /// follows her last basis of processing.
    Persons,
    /// The personal-data copies in a network request: removed, the request kept.
    NetworkRequests,
    /// The audit trail (ids only): deleted.
    Audit,
}

/// A record falling due.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RetentionDue {
    /// Its id (a person for `persons`, a request for `network_requests`).
    pub id: Uuid,
    /// The day it is depersonalised or deleted.
    pub due_on: NaiveDate,
}

/// What falls due in one category.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RetentionCategoryView {
    /// The category.
    pub category: RetentionCategory,
    /// Its retention period (срок хранения), in days.
    pub period_days: u32,
    /// How many are due now (handled at the job's next run).
    pub due_count: u64,
    /// Due now (at most 500; the audit lists counts only).
    pub due: Vec<RetentionDue>,
    /// How many fall due within `within_days`.
    pub upcoming_count: u64,
    /// Falling due within `within_days` (at most 500; the audit lists counts only).
    pub upcoming: Vec<RetentionDue>,
}

/// The retention report (отчёт о сроках хранения): per category of data, what is past its period
/// and what falls due within the coming days. Ids only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RetentionReportView {
    /// The day judged on.
    pub today: NaiveDate,
    /// The look-ahead, in days.
    pub within_days: u32,
    /// Per category.
    pub categories: Vec<RetentionCategoryView>,
}

impl From<RetentionReport> for RetentionReportView {
    fn from(r: RetentionReport) -> Self {
        let due = |l: Vec<rsnms_domain::personal_data::Due>| {
            l.into_iter().map(|d| RetentionDue { id: d.id, due_on: d.due_on }).collect()
        };
        Self {
            today: r.today,
            within_days: r.within_days,
            categories: r
                .categories
                .into_iter()
                .map(|c| RetentionCategoryView {
                    category: match c.category {
                        Category::Persons => RetentionCategory::Persons,
                        Category::NetworkRequests => RetentionCategory::NetworkRequests,
                        Category::Audit => RetentionCategory::Audit,
                    },
                    period_days: c.period_days,
                    due_count: c.due_count,
                    due: due(c.due),
                    upcoming_count: c.upcoming_count,
                    upcoming: due(c.upcoming),
                })
                .collect(),
        }
    }
}

/// A diagnostic result held about the person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportResult {
    /// Result id.
    pub id: Uuid,
    /// Campaign.
    pub campaign_id: Uuid,
    /// Competency.
    pub competency_id: Uuid,
    /// Score.
    pub score: Option<f64>,
    /// Level.
    pub level: Option<String>,
    /// Assessed on.
    pub assessed_on: NaiveDate,
    /// Below the threshold (a deficit).
    pub deficit: bool,
}

/// A route held about the person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportRoute {
    /// Route id.
    pub id: Uuid,
    /// The tutor (a person id).
    pub tutor_id: Uuid,
    /// First day.
    pub period_start: NaiveDate,
    /// Last day.
    pub period_end: NaiveDate,
    /// State.
    pub status: String,
}

/// A network request naming the person as its author.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportMention {
    /// Request id.
    pub id: Uuid,
    /// Outgoing number.
    pub outgoing_number: Option<String>,
    /// Subject line.
    pub subject: Option<String>,
    /// Status.
    pub status: String,
    /// Sent on.
    pub sent_on: Option<NaiveDate>,
}

/// A read of the person's personal data (from the audit trail).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportRead {
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// The reading account.
    pub actor_subject: String,
    /// Its role.
    pub actor_role: String,
    /// The request id of the read.
    pub request_id: String,
}

/// Everything held about a person (сведения субъекту, 152-ФЗ art. 14): her fields, bases and
/// consents, diagnostic results, routes, network requests naming her, and every read of her
/// personal data (this report's own included).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonalDataReport {
    /// The person, personal data shown.
    pub person: crate::routes::persons::PersonView,
    /// When she was depersonalised, if she was.
    pub depersonalised_at: Option<DateTime<Utc>>,
    /// Bases and consents, oldest first.
    pub bases: Vec<BasisView>,
    /// Diagnostic results.
    pub results: Vec<ReportResult>,
    /// Individual routes (ИОМ).
    pub routes: Vec<ReportRoute>,
    /// Network requests naming her as author.
    pub requests: Vec<ReportMention>,
    /// Reads of her personal data, oldest first.
    pub reads: Vec<ReportRead>,
    /// When the report was made (UTC).
    pub generated_at: DateTime<Utc>,
}

impl PersonalDataReport {
    /// The view of a report.
    pub fn new(r: rsnms_domain::personal_data::AccessReport) -> Self {
        Self {
            person: crate::routes::persons::PersonView::new(r.person, true),
            depersonalised_at: r.depersonalised_at,
            bases: r.bases.into_iter().map(BasisView::new).collect(),
            results: r
                .results
                .into_iter()
                .map(|x| ReportResult {
                    id: x.id,
                    campaign_id: x.campaign_id,
                    competency_id: x.competency_id,
                    score: x.score,
                    level: x.level,
                    assessed_on: x.assessed_on,
                    deficit: x.deficit,
                })
                .collect(),
            routes: r
                .routes
                .into_iter()
                .map(|x| ReportRoute {
                    id: x.id,
                    tutor_id: x.tutor_id,
                    period_start: x.period_start,
                    period_end: x.period_end,
                    status: x.status.as_str().to_owned(),
                })
                .collect(),
            requests: r
                .requests
                .into_iter()
                .map(|x| ReportMention {
                    id: x.id,
                    outgoing_number: x.outgoing_number,
                    subject: x.subject,
                    status: x.status,
                    sent_on: x.sent_on,
                })
                .collect(),
            reads: r
                .reads
                .into_iter()
                .map(|x| ReportRead {
                    at: x.at,
                    actor_subject: x.actor_subject,
                    actor_role: x.actor_role,
                    request_id: x.request_id,
                })
                .collect(),
            generated_at: r.generated_at,
        }
    }
}
