//! Route templates (issue 17 item 7, as Moodle's learning-plan templates): a plan of steps for
//! given deficits, applied to a group of teachers — each gets her own draft route built from it
//! by [`create_route`](super::create_route), so every rule of a route holds for each.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    Activity, ReportingForm, Route, RouteInput, StepInput,
    rules::{BUILDERS, Deps, create_route},
};
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Role},
    development::{lost, required, text},
    error::Errors,
};

/// Roles that read templates.
pub const TEMPLATE_READERS: &[Role] = &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization, Role::Tutor];

/// Most teachers one application takes.
pub const MAX_APPLY: usize = 100;

/// A step of a template: a route step without a person's links (event registrations, placements,
/// pairs are the person's own: added to her route afterwards) and without progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateStep {
    /// Title.
    pub title: String,
    /// Deficits (competencies) the step addresses.
    pub competency_ids: Vec<Uuid>,
    /// Activity.
    pub activity: Activity,
    /// The programme (activity `program`).
    pub program_id: Option<Uuid>,
    /// The resource, described.
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

/// A template.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteTemplate {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Deficits the plan addresses.
    pub deficit_competency_ids: Vec<Uuid>,
    /// Steps.
    pub steps: Vec<TemplateStep>,
    /// Who created it (account).
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A template step as a client describes it.
#[derive(Debug, Clone, Default)]
pub struct TemplateStepInput {
    /// Title.
    pub title: Option<String>,
    /// Competencies.
    pub competency_ids: Vec<Uuid>,
    /// Activity.
    pub activity: Option<Activity>,
    /// Programme.
    pub program_id: Option<Uuid>,
    /// Resource.
    pub resource: Option<String>,
    /// Planned start.
    pub planned_start: Option<NaiveDate>,
    /// Planned end.
    pub planned_end: Option<NaiveDate>,
    /// Expected result.
    pub expected_result: Option<String>,
    /// Reporting form.
    pub reporting_form: Option<ReportingForm>,
}

/// A template as a client describes it.
#[derive(Debug, Clone, Default)]
pub struct TemplateInput {
    /// Title.
    pub title: Option<String>,
    /// Deficits.
    pub deficit_competency_ids: Vec<Uuid>,
    /// Steps.
    pub steps: Vec<TemplateStepInput>,
}

/// What applying a template takes besides the teachers: the route's frame.
#[derive(Debug, Clone, Default)]
pub struct ApplyInput {
    /// The teachers (1…[`MAX_APPLY`], each once).
    pub person_ids: Vec<Uuid>,
    /// The tutor of every route.
    pub tutor_id: Option<Uuid>,
    /// First day.
    pub period_start: Option<NaiveDate>,
    /// Last day.
    pub period_end: Option<NaiveDate>,
    /// Campaigns the routes are built on.
    pub diagnostic_ids: Vec<Uuid>,
}

/// Storage of templates.
#[async_trait]
pub trait RouteTemplateRepository: Send + Sync {
    /// Stores a new template.
    async fn create(&self, ctx: &Ctx, template: RouteTemplate) -> DomainResult<RouteTemplate>;
    /// Reads a template.
    async fn get(&self, id: Uuid) -> DomainResult<RouteTemplate>;
}

/// Creates a template: those who build routes. The plan's shape is checked here (every step
/// addresses one of the template's deficits, dates in order); what depends on the teacher (open
/// deficits, the period, the programme) is checked for each when applied.
pub async fn create_template(
    repo: &dyn RouteTemplateRepository,
    ctx: &Ctx,
    input: TemplateInput,
) -> DomainResult<RouteTemplate> {
    ctx.actor.require(BUILDERS)?;
    let mut e = Errors::new();
    let title = text(&mut e, "title", input.title, super::TITLE_MAX, true);
    if input.deficit_competency_ids.is_empty() {
        e.push(FieldError::required("deficit_competency_ids"));
    }
    for (i, c) in input.deficit_competency_ids.iter().enumerate() {
        if input.deficit_competency_ids[..i].contains(c) {
            e.push(FieldError::new(
                format!("deficit_competency_ids[{i}]"),
                "duplicate",
                Msg::new("Повторяется", "Listed twice"),
            ));
        }
    }
    if input.steps.is_empty() {
        e.push(FieldError::required("steps"));
    }
    let mut steps = Vec::new();
    for (i, s) in input.steps.into_iter().enumerate() {
        let f = |n: &str| format!("steps[{i}].{n}");
        let title = text(&mut e, &f("title"), s.title, super::TITLE_MAX, true);
        if s.competency_ids.is_empty() {
            e.push(FieldError::required(f("competency_ids")));
        }
        for (j, c) in s.competency_ids.iter().enumerate() {
            if !input.deficit_competency_ids.contains(c) {
                e.push(FieldError::new(
                    format!("steps[{i}].competency_ids[{j}]"),
                    "not_in_route",
                    Msg::new(
                        "Шаг должен закрывать дефицит шаблона",
                        "A step must address one of the template's deficits",
                    ),
                ));
            }
        }
        let activity = required(&mut e, &f("activity"), s.activity);
        if activity == Some(Activity::Program) && s.program_id.is_none() {
            e.push(FieldError::required(f("program_id")));
        }
        let resource = text(&mut e, &f("resource"), s.resource, super::RESOURCE_MAX, false);
        let start = required(&mut e, &f("planned_start"), s.planned_start);
        let end = required(&mut e, &f("planned_end"), s.planned_end);
        if let (Some(a), Some(b)) = (start, end)
            && b < a
        {
            e.push(FieldError::new(
                f("planned_end"),
                "before_start",
                Msg::new("Окончание раньше начала", "Ends before it starts"),
            ));
        }
        let expected = text(&mut e, &f("expected_result"), s.expected_result, super::EXPECTED_RESULT_MAX, true);
        let form = required(&mut e, &f("reporting_form"), s.reporting_form);
        if let (Some(title), Some(activity), Some(planned_start), Some(planned_end), Some(expected_result), Some(rf)) =
            (title, activity, start, end, expected, form)
        {
            steps.push(TemplateStep {
                title,
                competency_ids: s.competency_ids,
                activity,
                program_id: s.program_id,
                resource,
                planned_start,
                planned_end,
                expected_result,
                reporting_form: rf,
            });
        }
    }
    e.finish()?;
    let Some(title) = title else { return Err(lost("template")) };
    repo.create(
        ctx,
        RouteTemplate {
            id: Uuid::now_v7(),
            title,
            deficit_competency_ids: input.deficit_competency_ids,
            steps,
            created_by: ctx.actor.subject.clone(),
            created_at: Utc::now(),
        },
    )
    .await
}

/// Reads a template.
pub async fn get_template(repo: &dyn RouteTemplateRepository, ctx: &Ctx, id: Uuid) -> DomainResult<RouteTemplate> {
    ctx.actor.require(TEMPLATE_READERS)?;
    repo.get(id).await
}

/// The route a template gives one teacher.
fn route_input(t: &RouteTemplate, person_id: Uuid, frame: &ApplyInput) -> RouteInput {
    RouteInput {
        person_id: Some(person_id),
        tutor_id: frame.tutor_id,
        period_start: frame.period_start,
        period_end: frame.period_end,
        diagnostic_ids: frame.diagnostic_ids.clone(),
        deficit_competency_ids: t.deficit_competency_ids.clone(),
        steps: t
            .steps
            .iter()
            .map(|s| StepInput {
                title: Some(s.title.clone()),
                competency_ids: s.competency_ids.clone(),
                activity: Some(s.activity),
                program_id: s.program_id,
                resource: s.resource.clone(),
                planned_start: Some(s.planned_start),
                planned_end: Some(s.planned_end),
                expected_result: Some(s.expected_result.clone()),
                reporting_form: Some(s.reporting_form),
                ..StepInput::default()
            })
            .collect(),
    }
}

/// Whether a refusal is the teacher's own (her route breaks a rule, or she is outside the
/// caller's scope), as opposed to a failure of the whole request (the store away).
fn refusal(e: &DomainError) -> bool {
    matches!(e, DomainError::NotFound | DomainError::Validation(_) | DomainError::Conflict { .. })
}

/// Applies a template to a group of teachers, per teacher: each gets her own draft route from
/// the template ([`create_route`]: her scope, open deficits, the tutor's territory, the period,
/// the basis of processing — all checked for her), or her refusal; one teacher's refusal does
/// not hold back the others. A teacher outside the caller's scope is refused as unknown (422
/// naming `person_id`).
/// Returns the outcome of every teacher, in the order given.
pub async fn apply_template(
    d: Deps<'_>,
    repo: &dyn RouteTemplateRepository,
    ctx: &Ctx,
    id: Uuid,
    input: ApplyInput,
) -> DomainResult<Vec<(Uuid, DomainResult<Route>)>> {
    ctx.actor.require(BUILDERS)?;
    let template = repo.get(id).await?;
    let mut e = Errors::new();
    if input.person_ids.is_empty() {
        e.push(FieldError::required("person_ids"));
    }
    if input.person_ids.len() > MAX_APPLY {
        e.push(FieldError::new(
            "person_ids",
            "too_many",
            Msg::new(
                format!("Не больше {MAX_APPLY} педагогов за раз"),
                format!("At most {MAX_APPLY} teachers at once"),
            ),
        ));
    }
    for (i, p) in input.person_ids.iter().enumerate() {
        if input.person_ids[..i].contains(p) {
            e.push(FieldError::new(format!("person_ids[{i}]"), "duplicate", Msg::new("Повторяется", "Listed twice")));
        }
    }
    required(&mut e, "tutor_id", input.tutor_id);
    required(&mut e, "period_start", input.period_start);
    required(&mut e, "period_end", input.period_end);
    e.finish()?;
    let mut out = Vec::with_capacity(input.person_ids.len());
    for p in &input.person_ids {
        match create_route(d, ctx, route_input(&template, *p, &input)).await {
            Err(err) if !refusal(&err) => return Err(err),
            outcome => out.push((*p, outcome)),
        }
    }
    Ok(out)
}
