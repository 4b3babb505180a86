use chrono::{DateTime, NaiveDate, Utc};
use rsnms_domain::development::iom::{
    Activity, ApplyInput, ReportingForm, RouteTemplate, TemplateInput, TemplateStep, TemplateStepInput,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::limit;
use crate::{problem::Problem, routes::individual_routes::RouteView};
use rsnms_domain::development::iom;

/// A template step as a client writes it: a route step without links to a person's records and
/// without progress.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct TemplateStepWrite {
    /// Title (наименование шага), at most 500 characters.
    #[schema(required = true, nullable = false, max_length = 500)]
    #[validate(length(max = limit(iom::TITLE_MAX)))]
    pub title: Option<String>,
    /// The template's deficits (competencies) this step addresses.
    #[serde(default)]
    pub competency_ids: Vec<Uuid>,
    /// Activity (an event, internship or mentoring step is free text here: the person's
    /// registration, placement or pair is linked on her route).
    #[schema(required = true, nullable = false)]
    pub activity: Option<Activity>,
    /// Programme (required for activity `program`).
    pub program_id: Option<Uuid>,
    /// The resource, described (at most 1000 characters).
    #[schema(max_length = 1000)]
    #[validate(length(max = limit(iom::RESOURCE_MAX)))]
    pub resource: Option<String>,
    /// Planned start.
    #[schema(required = true, nullable = false)]
    pub planned_start: Option<NaiveDate>,
    /// Planned end.
    #[schema(required = true, nullable = false)]
    pub planned_end: Option<NaiveDate>,
    /// Expected result, at most 2000 characters.
    #[schema(required = true, nullable = false, max_length = 2000)]
    #[validate(length(max = limit(iom::EXPECTED_RESULT_MAX)))]
    pub expected_result: Option<String>,
    /// Reporting form.
    #[schema(required = true, nullable = false)]
    pub reporting_form: Option<ReportingForm>,
}

/// A template as a client writes it (шаблон маршрута).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RouteTemplateRequest {
    /// Title, at most 500 characters.
    #[schema(required = true, nullable = false, max_length = 500, example = "Цифровая дидактика: базовый план")]
    #[validate(length(max = limit(iom::TITLE_MAX)))]
    pub title: Option<String>,
    /// Deficits (competencies) the plan addresses.
    #[serde(default)]
    pub deficit_competency_ids: Vec<Uuid>,
    /// Steps (at least one).
    #[serde(default)]
    #[validate(nested)]
    pub steps: Vec<TemplateStepWrite>,
}

impl crate::extract::ValueChecks for RouteTemplateRequest {}

impl From<RouteTemplateRequest> for TemplateInput {
    fn from(d: RouteTemplateRequest) -> Self {
        Self {
            title: d.title,
            deficit_competency_ids: d.deficit_competency_ids,
            steps: d
                .steps
                .into_iter()
                .map(|s| TemplateStepInput {
                    title: s.title,
                    competency_ids: s.competency_ids,
                    activity: s.activity,
                    program_id: s.program_id,
                    resource: s.resource,
                    planned_start: s.planned_start,
                    planned_end: s.planned_end,
                    expected_result: s.expected_result,
                    reporting_form: s.reporting_form,
                })
                .collect(),
        }
    }
}

/// A template step.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TemplateStepView {
    /// Title.
    pub title: String,
    /// Competencies addressed.
    pub competency_ids: Vec<Uuid>,
    /// Activity.
    pub activity: Activity,
    /// Programme.
    pub program_id: Option<Uuid>,
    /// Resource.
    pub resource: Option<String>,
    /// Planned start.
    pub planned_start: NaiveDate,
    /// Planned end.
    pub planned_end: NaiveDate,
    /// Expected result.
    pub expected_result: String,
    /// Reporting form.
    pub reporting_form: ReportingForm,
}

impl From<TemplateStep> for TemplateStepView {
    fn from(s: TemplateStep) -> Self {
        Self {
            title: s.title,
            competency_ids: s.competency_ids,
            activity: s.activity,
            program_id: s.program_id,
            resource: s.resource,
            planned_start: s.planned_start,
            planned_end: s.planned_end,
            expected_result: s.expected_result,
            reporting_form: s.reporting_form,
        }
    }
}

/// A route template (шаблон маршрута).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RouteTemplateView {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Deficits addressed.
    pub deficit_competency_ids: Vec<Uuid>,
    /// Steps.
    pub steps: Vec<TemplateStepView>,
    /// Who created it (account).
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<RouteTemplate> for RouteTemplateView {
    fn from(t: RouteTemplate) -> Self {
        Self {
            id: t.id,
            title: t.title,
            deficit_competency_ids: t.deficit_competency_ids,
            steps: t.steps.into_iter().map(TemplateStepView::from).collect(),
            created_by: t.created_by,
            created_at: t.created_at,
        }
    }
}

/// Applying a template (применение шаблона): the teachers and the frame of their routes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ApplyTemplateRequest {
    /// The teachers, each once (1…100).
    #[serde(default)]
    #[schema(min_items = 1, max_items = 100)]
    pub person_ids: Vec<Uuid>,
    /// The tutor of every route (serving each teacher's territory).
    #[schema(required = true, nullable = false)]
    pub tutor_id: Option<Uuid>,
    /// First day of every route.
    #[schema(required = true, nullable = false)]
    pub period_start: Option<NaiveDate>,
    /// Last day of every route.
    #[schema(required = true, nullable = false)]
    pub period_end: Option<NaiveDate>,
    /// Diagnostic campaigns the routes are built on.
    #[serde(default)]
    pub diagnostic_ids: Vec<Uuid>,
}

impl crate::extract::ValueChecks for ApplyTemplateRequest {}

impl From<ApplyTemplateRequest> for ApplyInput {
    fn from(d: ApplyTemplateRequest) -> Self {
        Self {
            person_ids: d.person_ids,
            tutor_id: d.tutor_id,
            period_start: d.period_start,
            period_end: d.period_end,
            diagnostic_ids: d.diagnostic_ids,
        }
    }
}

/// One teacher's outcome: her new draft route, or the problem that refused it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppliedTeacher {
    /// The teacher.
    pub person_id: Uuid,
    /// 201 when her route was created, else the refusal's status (422 or 409).
    pub status: u16,
    /// Her new route (when created).
    pub route: Option<RouteView>,
    /// Why she got none (when refused): a problem naming the field.
    pub problem: Option<Problem>,
}

/// The outcome of every teacher, in the order given.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppliedTemplate {
    /// The template.
    pub template_id: Uuid,
    /// Routes created.
    pub created: u64,
    /// Teachers refused.
    pub refused: u64,
    /// Per teacher.
    pub items: Vec<AppliedTeacher>,
}
