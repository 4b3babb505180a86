use crate::dto::limit;
use chrono::{DateTime, NaiveDate, Utc};
use rsnms_domain::development::iom;
use rsnms_domain::development::{
    diagnostics::DeficitStatus,
    iom::{
        Activity, CompleteInput, Evidence, EvidenceInput, EvidenceStatus, PracticeForm, ReportingForm, Route,
        RouteDeficit, RouteInput, RouteStatus, RouteTutor, Step, StepInput, StepStatus, Suggestion, SuggestionKind,
        Transfer, TransferInput,
    },
    programs::StudyForm,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// A step as a client writes it. Steps are checked by the route (`steps[i].field`); the lengths
/// below are also judged with the body, before any precondition (a too-long text is a 422 even
/// when `If-Match` is stale).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct StepWrite {
    /// Id of an existing step (absent for a new one; kept across edits).
    pub id: Option<Uuid>,
    /// Title (наименование шага), at most 500 characters.
    #[schema(required = true, nullable = false, max_length = 500, example = "Курс «Формирующее оценивание»")]
    #[validate(length(max = limit(iom::TITLE_MAX)))]
    pub title: Option<String>,
    /// The route's deficits (competencies) this step addresses.
    #[serde(default)]
    pub competency_ids: Vec<Uuid>,
    /// Activity.
    #[schema(required = true, nullable = false)]
    pub activity: Option<Activity>,
    /// Programme (required for activity `program`).
    pub program_id: Option<Uuid>,
    /// Event (мероприятие) the person is registered for: required for activity `event`; the
    /// step's date is the event's, and it is done when her attendance is marked.
    pub event_id: Option<Uuid>,
    /// Internship site (стажировочная площадка) of the placement: required for activity
    /// `internship`; takes one of the site's places (409 when full) and its period; done once
    /// the period is over.
    pub internship_site_id: Option<Uuid>,
    /// Mentoring pair (наставническая пара) whose mentee is the person: required for activity
    /// `mentoring`; takes the pair's period; done once the pair is closed.
    pub mentoring_pair_id: Option<Uuid>,
    /// The internship site, event, mentor or community, described (at most 1000 characters).
    #[schema(max_length = 1000)]
    #[validate(length(max = limit(iom::RESOURCE_MAX)))]
    pub resource: Option<String>,
    /// Planned start (required unless the step is linked to an event, a site or a pair, whose
    /// dates it takes).
    pub planned_start: Option<NaiveDate>,
    /// Planned end (required unless linked; an open-ended pair's step ends on this day or on the
    /// route's last day).
    pub planned_end: Option<NaiveDate>,
    /// Expected result (ожидаемый результат), at most 2000 characters.
    #[schema(required = true, nullable = false, max_length = 2000)]
    #[validate(length(max = limit(iom::EXPECTED_RESULT_MAX)))]
    pub expected_result: Option<String>,
    /// Reporting form (форма отчётности).
    #[schema(required = true, nullable = false)]
    pub reporting_form: Option<ReportingForm>,
    /// Status (default `planned`).
    pub status: Option<StepStatus>,
}

impl From<StepWrite> for StepInput {
    fn from(s: StepWrite) -> Self {
        StepInput {
            id: s.id,
            title: s.title,
            competency_ids: s.competency_ids,
            activity: s.activity,
            program_id: s.program_id,
            event_id: s.event_id,
            internship_site_id: s.internship_site_id,
            mentoring_pair_id: s.mentoring_pair_id,
            resource: s.resource,
            planned_start: s.planned_start,
            planned_end: s.planned_end,
            expected_result: s.expected_result,
            reporting_form: s.reporting_form,
            status: s.status,
        }
    }
}

impl From<StepInput> for StepWrite {
    fn from(s: StepInput) -> Self {
        StepWrite {
            id: s.id,
            title: s.title,
            competency_ids: s.competency_ids,
            activity: s.activity,
            program_id: s.program_id,
            event_id: s.event_id,
            internship_site_id: s.internship_site_id,
            mentoring_pair_id: s.mentoring_pair_id,
            resource: s.resource,
            planned_start: s.planned_start,
            planned_end: s.planned_end,
            expected_result: s.expected_result,
            reporting_form: s.reporting_form,
            status: s.status,
        }
    }
}

/// A route as a client writes it (create; merge-patched for updates — `steps` is replaced whole).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RouteWrite {
    /// The teacher or manager (cannot change).
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub person_id: Option<Uuid>,
    /// The tutor: another person with role `tutor`.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub tutor_id: Option<Uuid>,
    /// First day; routes of one person may not overlap.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub period_start: Option<NaiveDate>,
    /// Last day.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub period_end: Option<NaiveDate>,
    /// Diagnostic campaigns the route is built on.
    #[serde(default)]
    #[validate(length(max = limit(iom::DIAGNOSTICS_MAX)))]
    #[schema(max_items = 50)]
    pub diagnostic_ids: Vec<Uuid>,
    /// Deficits (competencies) the route addresses: open deficits of the person.
    #[serde(default)]
    #[validate(length(max = limit(iom::DEFICITS_MAX)))]
    #[schema(max_items = 100)]
    pub deficit_competency_ids: Vec<Uuid>,
    /// Steps.
    #[serde(default)]
    #[validate(length(max = limit(iom::STEPS_MAX)), nested)]
    #[schema(max_items = 100)]
    pub steps: Vec<StepWrite>,
}

impl crate::extract::ValueChecks for RouteWrite {}

impl From<RouteWrite> for RouteInput {
    fn from(w: RouteWrite) -> Self {
        RouteInput {
            person_id: w.person_id,
            tutor_id: w.tutor_id,
            period_start: w.period_start,
            period_end: w.period_end,
            diagnostic_ids: w.diagnostic_ids,
            deficit_competency_ids: w.deficit_competency_ids,
            steps: w.steps.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<RouteInput> for RouteWrite {
    fn from(i: RouteInput) -> Self {
        RouteWrite {
            person_id: i.person_id,
            tutor_id: i.tutor_id,
            period_start: i.period_start,
            period_end: i.period_end,
            diagnostic_ids: i.diagnostic_ids,
            deficit_competency_ids: i.deficit_competency_ids,
            steps: i.steps.into_iter().map(Into::into).collect(),
        }
    }
}

/// A step of a route.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepView {
    /// Step id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Deficits (competencies) addressed.
    pub competency_ids: Vec<Uuid>,
    /// Activity.
    pub activity: Activity,
    /// Programme.
    pub program_id: Option<Uuid>,
    /// Linked event.
    pub event_id: Option<Uuid>,
    /// Linked internship site.
    pub internship_site_id: Option<Uuid>,
    /// Linked mentoring pair.
    pub mentoring_pair_id: Option<Uuid>,
    /// Resource described.
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

impl From<Step> for StepView {
    fn from(s: Step) -> Self {
        Self {
            id: s.id,
            title: s.title,
            competency_ids: s.competency_ids,
            activity: s.activity,
            program_id: s.program_id,
            event_id: s.event_id,
            internship_site_id: s.internship_site_id,
            mentoring_pair_id: s.mentoring_pair_id,
            resource: s.resource,
            planned_start: s.planned_start,
            planned_end: s.planned_end,
            expected_result: s.expected_result,
            reporting_form: s.reporting_form,
            status: s.status,
        }
    }
}

/// Transfer into practice (фасилитация переноса, BU 2.3.7).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferWrite {
    /// Form.
    #[schema(required = true, nullable = false)]
    pub form: Option<PracticeForm>,
    /// Date held or planned.
    #[schema(required = true, nullable = false)]
    pub held_on: Option<NaiveDate>,
    /// What was done (e.g. «мастер-класс для МО учителей математики района»), at most 2000 characters.
    #[schema(required = true, nullable = false, max_length = 2000)]
    pub description: Option<String>,
}

/// Transfer into practice as recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransferView {
    /// Form.
    pub form: PracticeForm,
    /// Date.
    pub held_on: NaiveDate,
    /// What was done.
    pub description: String,
}

impl From<Transfer> for TransferView {
    fn from(t: Transfer) -> Self {
        Self { form: t.form, held_on: t.held_on, description: t.description }
    }
}

/// Completion of a route.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CompleteRoute {
    /// Transfer into practice (at least one).
    #[serde(default)]
    #[validate(length(max = limit(iom::TRANSFERS_MAX)))]
    #[schema(max_items = 20)]
    pub transfer: Vec<TransferWrite>,
    /// Date of a repeat diagnostic (повторная диагностика).
    pub repeat_diagnostic_on: Option<NaiveDate>,
    /// Campaign of the repeat diagnostic.
    pub repeat_campaign_id: Option<Uuid>,
}

impl crate::extract::ValueChecks for CompleteRoute {}

impl From<CompleteRoute> for CompleteInput {
    fn from(c: CompleteRoute) -> Self {
        CompleteInput {
            transfer: c
                .transfer
                .into_iter()
                .map(|t| TransferInput { form: t.form, held_on: t.held_on, description: t.description })
                .collect(),
            repeat_diagnostic_on: c.repeat_diagnostic_on,
            repeat_campaign_id: c.repeat_campaign_id,
        }
    }
}

/// The state of a deficit the route addresses, from the person's latest results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RouteDeficitView {
    /// Competency.
    pub competency_id: Uuid,
    /// `open`, or `closed` by a later result at level.
    pub status: DeficitStatus,
    /// Date of the result that closed it.
    pub closed_on: Option<NaiveDate>,
    /// Campaign of that result.
    pub closed_by_campaign_id: Option<Uuid>,
}

impl From<RouteDeficit> for RouteDeficitView {
    fn from(d: RouteDeficit) -> Self {
        Self {
            competency_id: d.competency_id,
            status: d.status,
            closed_on: d.closed_on,
            closed_by_campaign_id: d.closed_by_campaign_id,
        }
    }
}

/// The tutor of a route (тьютор): whom the teacher works with.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RouteTutorView {
    /// Person id.
    pub id: Uuid,
    /// Full name (ФИО).
    pub full_name: String,
    /// Position (должность).
    pub position: Option<String>,
    /// Her organisation.
    pub organization_id: Uuid,
    /// Its name.
    pub organization_name: String,
    /// Work phone (the organisation's; no personal contacts).
    pub work_phone: Option<String>,
    /// Work e-mail (the organisation's).
    pub work_email: Option<String>,
}

impl From<RouteTutor> for RouteTutorView {
    fn from(t: RouteTutor) -> Self {
        Self {
            id: t.id,
            full_name: t.full_name,
            position: t.position,
            organization_id: t.organization_id,
            organization_name: t.organization_name,
            work_phone: t.work_phone,
            work_email: t.work_email,
        }
    }
}

/// An individual educational route (ИОМ).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RouteView {
    /// Id.
    pub id: Uuid,
    /// The teacher or manager.
    pub person_id: Uuid,
    /// The tutor.
    pub tutor_id: Uuid,
    /// First day.
    pub period_start: NaiveDate,
    /// Last day.
    pub period_end: NaiveDate,
    /// State.
    pub status: RouteStatus,
    /// Lifecycle actions allowed now (`POST /routes/{id}/<action>`).
    pub allowed_actions: Vec<String>,
    /// Progress, per cent: done steps among those not skipped (derived).
    pub progress: u8,
    /// Diagnostic campaigns it is built on.
    pub diagnostic_ids: Vec<Uuid>,
    /// Deficits (competencies) it addresses.
    pub deficit_competency_ids: Vec<Uuid>,
    /// Their current state (single reads only; `null` in lists).
    pub deficits: Option<Vec<RouteDeficitView>>,
    /// The tutor: name, position and work contacts (single reads only; `null` in lists).
    pub tutor: Option<RouteTutorView>,
    /// Steps.
    pub steps: Vec<StepView>,
    /// Transfer into practice (on completion).
    pub transfer: Vec<TransferView>,
    /// Planned repeat diagnostic.
    pub repeat_diagnostic_on: Option<NaiveDate>,
    /// Campaign of the repeat diagnostic.
    pub repeat_campaign_id: Option<Uuid>,
    /// Who approved (account).
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
    /// Version; the `ETag`.
    pub version: i64,
}

impl RouteView {
    /// The view of a route, with its deficits' state when known.
    pub fn new(r: Route, deficits: Option<Vec<RouteDeficit>>) -> Self {
        let progress = r.progress();
        Self {
            id: r.id,
            person_id: r.person_id,
            tutor_id: r.tutor_id,
            period_start: r.period_start,
            period_end: r.period_end,
            allowed_actions: r.status.allowed_actions(),
            status: r.status,
            progress,
            diagnostic_ids: r.diagnostic_ids,
            deficit_competency_ids: r.deficit_competency_ids,
            deficits: deficits.map(|d| d.into_iter().map(Into::into).collect()),
            tutor: None,
            steps: r.steps.into_iter().map(Into::into).collect(),
            transfer: r.transfer.into_iter().map(Into::into).collect(),
            repeat_diagnostic_on: r.repeat_diagnostic_on,
            repeat_campaign_id: r.repeat_campaign_id,
            approved_by: r.approved_by,
            approved_at: r.approved_at,
            started_at: r.started_at,
            completed_at: r.completed_at,
            cancelled_at: r.cancelled_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// Evidence submitted for a step (подтверждающий материал).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EvidenceWrite {
    /// What it is.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub kind: Option<ReportingForm>,
    /// Description.
    #[validate(required, length(min = 1, max = limit(iom::EVIDENCE_DESCRIPTION_MAX)))]
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 4000,
        example = "Удостоверение о повышении квалификации № 0412"
    )]
    pub description: Option<String>,
    /// Link to the document (http/https).
    #[validate(length(max = limit(iom::EVIDENCE_URL_MAX)))]
    #[schema(max_length = 2000)]
    pub url: Option<String>,
}

impl crate::extract::ValueChecks for EvidenceWrite {}

impl From<EvidenceWrite> for EvidenceInput {
    fn from(e: EvidenceWrite) -> Self {
        EvidenceInput { kind: e.kind, description: e.description, url: e.url }
    }
}

/// A decision on evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceDecision {
    /// Принято (final; never deleted).
    Accepted,
    /// Отклонено.
    Rejected,
}

/// The review of submitted evidence.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EvidenceReview {
    /// `accepted` or `rejected`.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub decision: Option<EvidenceDecision>,
    /// Comment.
    #[validate(length(max = limit(iom::NOTE_MAX)))]
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
    /// The reviewer's rating (оценка), 1…5.
    #[validate(range(min = 1, max = 5))]
    #[schema(minimum = 1, maximum = 5)]
    pub rating: Option<i16>,
}

impl crate::extract::ValueChecks for EvidenceReview {}

impl EvidenceReview {
    /// The decision as an evidence status.
    pub fn status(&self) -> Option<EvidenceStatus> {
        self.decision.map(|d| match d {
            EvidenceDecision::Accepted => EvidenceStatus::Accepted,
            EvidenceDecision::Rejected => EvidenceStatus::Rejected,
        })
    }
}

/// Evidence in the log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceView {
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
    /// Link.
    pub url: Option<String>,
    /// Who submitted (account).
    pub submitted_by: String,
    /// When.
    pub submitted_at: DateTime<Utc>,
    /// `submitted`, `accepted` or `rejected`.
    pub status: EvidenceStatus,
    /// Who reviewed.
    pub reviewed_by: Option<String>,
    /// When reviewed.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Reviewer's comment.
    pub review_comment: Option<String>,
    /// Reviewer's rating, 1…5.
    pub rating: Option<i16>,
}

impl From<Evidence> for EvidenceView {
    fn from(e: Evidence) -> Self {
        Self {
            id: e.id,
            route_id: e.route_id,
            step_id: e.step_id,
            kind: e.kind,
            description: e.description,
            url: e.url,
            submitted_by: e.submitted_by,
            submitted_at: e.submitted_at,
            status: e.status,
            reviewed_by: e.reviewed_by,
            reviewed_at: e.reviewed_at,
            review_comment: e.review_comment,
            rating: e.rating,
        }
    }
}

/// A route's evidence log, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceLog {
    /// Entries.
    pub items: Vec<EvidenceView>,
}

/// A suggestion: a programme, an internship site, an event or a mentor.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuggestionView {
    /// What is suggested.
    pub kind: SuggestionKind,
    /// Id of the programme, site, event, or of the mentor (a person).
    pub id: Uuid,
    /// Title (theme of a site).
    pub title: String,
    /// A programme in the federal registry.
    pub federal_registry: bool,
    /// Form of a programme.
    pub form: Option<StudyForm>,
    /// Hours of a programme.
    pub hours: Option<i32>,
    /// Date of an event, first day of a site.
    pub starts_on: Option<NaiveDate>,
    /// Open deficits (competencies) it covers.
    pub covers: Vec<Uuid>,
    /// Why it is suggested here, in the request's language.
    pub reason: String,
}

impl SuggestionView {
    /// The view in a language.
    pub fn new(s: Suggestion, english: bool) -> Self {
        Self {
            kind: s.kind,
            id: s.id,
            title: s.title,
            federal_registry: s.federal_registry,
            form: s.form,
            hours: s.hours,
            starts_on: s.starts_on,
            covers: s.covers,
            reason: if english { s.reason.en } else { s.reason.ru },
        }
    }
}

/// Suggestions for a person's open deficits, best first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RouteSuggestions {
    /// Person.
    pub person_id: Uuid,
    /// Their open deficits (competencies).
    pub open_deficits: Vec<Uuid>,
    /// Suggestions, best first.
    pub items: Vec<SuggestionView>,
}

crate::list_schema!(RouteList, RouteView, "A page of routes.");
