//! Individual educational routes (ИОМ, DOMAIN §6): one per person and period, built on the
//! person's diagnosed deficits, accompanied by a tutor, made of steps that close deficits, with
//! an append-only evidence log. Workflow: draft → approved → in_progress → completed |
//! cancelled; a completed route is frozen; progress is derived from the steps.

mod links;
mod review;
mod rules;
mod suggestions;
mod templates;
mod tutors;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use links::{link_field, resolve as resolve_linked_steps};
pub use review::{reopen_route, request_review};
pub use rules::READERS;
pub use rules::{
    CompleteInput, Deps, EvidenceInput, EvidencePolicy, RouteDeficit, RouteInput, RouteTutor, StepInput, TransferInput,
    add_evidence, approve_route, cancel_route, complete_route, create_route, get_route, list_evidence, list_routes,
    review_evidence, route_deficits, route_versions, start_route, update_route,
};
pub use suggestions::{Suggestion, SuggestionKind, rank_suggestions, suggest};
pub use templates::{
    ApplyInput, MAX_APPLY, RouteTemplate, RouteTemplateRepository, TEMPLATE_READERS, TemplateInput, TemplateStep,
    TemplateStepInput, apply_template, create_template, get_template,
};
pub use tutors::{TutorCandidate, tutor_candidates};

use crate::{
    DomainResult,
    auth::{Ctx, Scope},
    page::{Page, PageRequest},
};

wire_enum! {
    /// State of a route.
    RouteStatus {
        /// Черновик.
        Draft = "draft",
        /// Отправлен на проверку тьютору (request_review).
        InReview = "in_review",
        /// Утверждён тьютором или оператором ЦНППМ.
        Approved = "approved",
        /// Выполняется.
        InProgress = "in_progress",
        /// Завершён (заморожен).
        Completed = "completed",
        /// Отменён.
        Cancelled = "cancelled",
    }
}

impl RouteStatus {
    /// The lifecycle actions allowed from this state.
    pub fn allowed_actions(self) -> Vec<String> {
        let a: &[&str] = match self {
            RouteStatus::Draft => &["request_review", "approve", "cancel"],
            RouteStatus::InReview => &["approve", "reopen", "cancel"],
            RouteStatus::Approved => &["start", "cancel"],
            RouteStatus::InProgress => &["complete", "cancel"],
            RouteStatus::Completed => &["reopen"],
            RouteStatus::Cancelled => &[],
        };
        a.iter().map(|s| (*s).to_owned()).collect()
    }
}

wire_enum! {
    /// The activity of a step.
    Activity {
        /// Программа ДПП.
        Program = "program",
        /// Стажировка.
        Internship = "internship",
        /// Наставничество.
        Mentoring = "mentoring",
        /// Методическое мероприятие.
        Event = "event",
        /// Самообразование.
        SelfEducation = "self_education",
        /// Профессиональное сообщество.
        ProfessionalCommunity = "professional_community",
    }
}

wire_enum! {
    /// How a step's result is reported.
    ReportingForm {
        /// Удостоверение / сертификат.
        Certificate = "certificate",
        /// Открытый урок.
        OpenLesson = "open_lesson",
        /// Методический материал.
        MethodologicalMaterial = "methodological_material",
        /// Отчёт.
        Report = "report",
        /// Портфолио.
        Portfolio = "portfolio",
        /// Иное.
        Other = "other",
    }
}

wire_enum! {
    /// State of a step.
    StepStatus {
        /// Запланирован.
        Planned = "planned",
        /// Выполняется.
        InProgress = "in_progress",
        /// Выполнен.
        Done = "done",
        /// Пропущен (не считается в прогрессе).
        Skipped = "skipped",
    }
}

wire_enum! {
    /// Forms of transfer into practice (фасилитация переноса, BU 2.3.7).
    PracticeForm {
        /// Стажировка.
        Internship = "internship",
        /// Мастер-класс.
        MasterClass = "master_class",
        /// Обмен опытом.
        ExperienceExchange = "experience_exchange",
        /// Посещение уроков.
        LessonVisit = "lesson_visit",
    }
}

wire_enum! {
    /// State of submitted evidence.
    EvidenceStatus {
        /// Представлено, ждёт проверки.
        Submitted = "submitted",
        /// Принято: never deleted.
        Accepted = "accepted",
        /// Отклонено.
        Rejected = "rejected",
    }
}

/// A step of a route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Step id (stable across edits).
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Deficits (competencies) the step addresses.
    pub competency_ids: Vec<Uuid>,
    /// Activity.
    pub activity: Activity,
    /// The programme (activity `program`).
    pub program_id: Option<Uuid>,
    /// The event the person is registered for (activity `event`); done on attendance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<Uuid>,
    /// The internship site of the placement (activity `internship`); done once the site's period is over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internship_site_id: Option<Uuid>,
    /// The mentoring pair whose mentee is the person (activity `mentoring`); done once the pair is closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mentoring_pair_id: Option<Uuid>,
    /// The internship site, event, mentor or community, described.
    pub resource: Option<String>,
    /// Planned start.
    pub planned_start: NaiveDate,
    /// Planned end.
    pub planned_end: NaiveDate,
    /// Expected result.
    pub expected_result: String,
    /// Reporting form.
    pub reporting_form: ReportingForm,
    /// Status.
    pub status: StepStatus,
}

/// One transfer-into-practice activity recorded on completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transfer {
    /// Form.
    pub form: PracticeForm,
    /// Date held or planned.
    pub held_on: NaiveDate,
    /// What was done.
    pub description: String,
}

/// A route.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Id.
    pub id: Uuid,
    /// The teacher or manager.
    pub person_id: Uuid,
    /// The tutor (a person with role tutor).
    pub tutor_id: Uuid,
    /// First day.
    pub period_start: NaiveDate,
    /// Last day.
    pub period_end: NaiveDate,
    /// State.
    pub status: RouteStatus,
    /// Diagnostic campaigns the route is built on.
    pub diagnostic_ids: Vec<Uuid>,
    /// Deficits (competencies) the route addresses.
    pub deficit_competency_ids: Vec<Uuid>,
    /// Steps.
    pub steps: Vec<Step>,
    /// Transfer into practice (on completion).
    pub transfer: Vec<Transfer>,
    /// Date of the planned repeat diagnostic.
    pub repeat_diagnostic_on: Option<NaiveDate>,
    /// Campaign of the repeat diagnostic.
    pub repeat_campaign_id: Option<Uuid>,
    /// Who approved.
    pub approved_by: Option<String>,
    /// When approved.
    pub approved_at: Option<DateTime<Utc>>,
    /// When started.
    pub started_at: Option<DateTime<Utc>>,
    /// When completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// When cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version.
    pub version: i64,
}

impl Route {
    /// Progress in per cent: done steps among those not skipped.
    pub fn progress(&self) -> u8 {
        let counted = self.steps.iter().filter(|s| s.status != StepStatus::Skipped).count();
        let done = self.steps.iter().filter(|s| s.status == StepStatus::Done).count();
        (done * 100).checked_div(counted).map_or(0, |p| u8::try_from(p).unwrap_or(100))
    }
}

/// One version of a route: its plan and state after a change, with who made the change and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteVersion {
    /// The route's version number after the change (its `ETag` then).
    pub version: i64,
    /// The change: `create`, `update`, `replan` (sent back for approval), `approve`, `start`,
    /// `complete`, `cancel`.
    pub action: String,
    /// The account that made it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
    /// State after the change.
    pub status: RouteStatus,
    /// Tutor.
    pub tutor_id: Uuid,
    /// First day.
    pub period_start: NaiveDate,
    /// Last day.
    pub period_end: NaiveDate,
    /// Deficits addressed.
    pub deficit_competency_ids: Vec<Uuid>,
    /// Steps.
    pub steps: Vec<Step>,
    /// Who approved this plan (while approved or running).
    pub approved_by: Option<String>,
    /// When.
    pub approved_at: Option<DateTime<Utc>>,
}

/// Evidence submitted for a step.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// Id.
    pub id: Uuid,
    /// Route.
    pub route_id: Uuid,
    /// Step.
    pub step_id: Uuid,
    /// What it is.
    pub kind: ReportingForm,
    /// Description.
    pub description: String,
    /// Link to the document.
    pub url: Option<String>,
    /// Who submitted (account).
    pub submitted_by: String,
    /// When.
    pub submitted_at: DateTime<Utc>,
    /// State.
    pub status: EvidenceStatus,
    /// Who reviewed.
    pub reviewed_by: Option<String>,
    /// When reviewed.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Reviewer's comment.
    pub review_comment: Option<String>,
    /// Reviewer's rating, 1…5 (оценка проверяющего).
    pub rating: Option<i16>,
}

/// Filters of the route list.
#[derive(Debug, Clone, Default)]
pub struct RouteFilter {
    /// Person.
    pub person_id: Option<Uuid>,
    /// Tutor.
    pub tutor_id: Option<Uuid>,
    /// State.
    pub status: Option<RouteStatus>,
    /// Only routes whose period overlaps these days (both inclusive).
    pub overlaps: Option<(NaiveDate, NaiveDate)>,
    /// Only routes of persons working in this region.
    pub region_code: Option<String>,
    /// Only routes of persons working in this municipality.
    pub municipality_code: Option<String>,
}

/// Storage of routes and their evidence; scoped, journaled.
#[async_trait]
pub trait RouteRepository: Send + Sync {
    /// Reads a route visible in the scope.
    async fn get(&self, scope: &Scope, id: Uuid) -> DomainResult<Route>;
    /// Lists routes visible in the scope.
    async fn list(&self, scope: &Scope, filter: &RouteFilter, page: PageRequest) -> DomainResult<Page<Route>>;
    /// Whether another live route of the person overlaps the period.
    async fn overlapping(
        &self,
        person_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
        except: Option<Uuid>,
    ) -> DomainResult<bool>;
    /// Stores a new route.
    async fn create(&self, ctx: &Ctx, route: Route) -> DomainResult<Route>;
    /// Stores a changed route when the stored version is `expected_version`; `action` names the
    /// change in the audit trail.
    async fn save(&self, ctx: &Ctx, route: Route, expected_version: i64, action: &'static str) -> DomainResult<Route>;
    /// Appends evidence.
    async fn add_evidence(&self, ctx: &Ctx, evidence: Evidence) -> DomainResult<Evidence>;
    /// Reads evidence of a route.
    async fn get_evidence(&self, route_id: Uuid, id: Uuid) -> DomainResult<Evidence>;
    /// Lists evidence of a route, oldest first.
    async fn list_evidence(&self, route_id: Uuid) -> DomainResult<Vec<Evidence>>;
    /// Records a review of submitted evidence (only while it is still submitted).
    async fn review_evidence(&self, ctx: &Ctx, evidence: Evidence) -> DomainResult<Evidence>;
    /// Every stored version of a route, oldest first (written by `create` and `save`).
    async fn versions(&self, route_id: Uuid) -> DomainResult<Vec<RouteVersion>>;
    /// How many live routes (draft, in review, approved, in progress) each of the tutors tutors
    /// (tutors with none are absent).
    async fn tutor_loads(&self, tutor_ids: &[Uuid]) -> DomainResult<std::collections::HashMap<Uuid, u64>>;
    /// Steps placed at the internship site in live (not cancelled) routes other than `except`,
    /// with the site's row locked for the rest of the transaction (inside a unit of work, until
    /// it ends: concurrent placements are counted one after the other).
    async fn placements(&self, site_id: Uuid, except: Uuid) -> DomainResult<i64>;
}

/// The longest title of a step or of a template, in characters.
pub const TITLE_MAX: usize = 500;
/// The longest resource of a step, in characters.
pub const RESOURCE_MAX: usize = 1000;
/// The longest expected result of a step, in characters.
pub const EXPECTED_RESULT_MAX: usize = 2000;
/// The most diagnostics a route is built on.
pub const DIAGNOSTICS_MAX: usize = 50;
/// The most deficit competencies of a route.
pub const DEFICITS_MAX: usize = 100;
/// The most steps of a route.
pub const STEPS_MAX: usize = 100;
/// The longest description of a transfer into practice or comment of a review, in characters.
pub const NOTE_MAX: usize = 2000;
/// The most transfers into practice recorded when a route is completed.
pub const TRANSFERS_MAX: usize = 20;
/// The longest description of evidence, in characters.
pub const EVIDENCE_DESCRIPTION_MAX: usize = 4000;
/// The longest link of evidence, in characters.
pub const EVIDENCE_URL_MAX: usize = 2000;

/// The length limits of a route's fields, by field; the tables below are those of its parts and
/// actions. The contract states the same numbers (`RouteWrite`, `StepWrite`, `TemplateStepWrite`,
/// `TransferWrite`, `CompleteRoute`, `EvidenceWrite`, `EvidenceReview`, `RouteTemplateRequest`,
/// `ApplyTemplateRequest`), which a test compares with these lists.
pub const LIMITS: &[(&str, usize)] =
    &[("diagnostic_ids", DIAGNOSTICS_MAX), ("deficit_competency_ids", DEFICITS_MAX), ("steps", STEPS_MAX)];
/// The length limits of a step (of a route or of a template), by field.
pub const STEP_LIMITS: &[(&str, usize)] =
    &[("title", TITLE_MAX), ("resource", RESOURCE_MAX), ("expected_result", EXPECTED_RESULT_MAX)];
/// The length limits of a transfer into practice, by field.
pub const TRANSFER_LIMITS: &[(&str, usize)] = &[("description", NOTE_MAX)];
/// The length limits of a completion, by field.
pub const COMPLETE_LIMITS: &[(&str, usize)] = &[("transfer", TRANSFERS_MAX)];
/// The length limits of evidence, by field.
pub const EVIDENCE_LIMITS: &[(&str, usize)] = &[("description", EVIDENCE_DESCRIPTION_MAX), ("url", EVIDENCE_URL_MAX)];
/// The length limits of a review of evidence, by field.
pub const REVIEW_LIMITS: &[(&str, usize)] = &[("comment", NOTE_MAX)];
/// The length limits of a template, by field.
pub const TEMPLATE_LIMITS: &[(&str, usize)] = &[("title", TITLE_MAX)];
/// The length limits of an application of a template, by field.
pub const APPLY_LIMITS: &[(&str, usize)] = &[("person_ids", MAX_APPLY)];
