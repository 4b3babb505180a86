//! Building, changing and moving routes through their workflow.

use std::collections::HashSet;

use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::{
    Activity, Evidence, EvidenceStatus, PracticeForm, ReportingForm, Route, RouteFilter, RouteRepository, RouteStatus,
    Step, StepStatus, Transfer,
};
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    audit::AuditRepository,
    auth::{Ctx, Role, Scope},
    development::{
        diagnostics::{DeficitStatus, DiagnosticRepository, derive_deficits},
        lost,
        programs::ProgramRepository,
        required, text,
    },
    error::Errors,
    page::{Page, PageRequest},
    persons::{PersonRepository, PersonRole},
};

/// The repositories route actions use.
#[derive(Clone, Copy)]
pub struct Deps<'a> {
    /// Routes.
    pub routes: &'a dyn RouteRepository,
    /// Persons.
    pub persons: &'a dyn PersonRepository,
    /// Diagnostics and results.
    pub diagnostics: &'a dyn DiagnosticRepository,
    /// Programmes.
    pub programs: &'a dyn ProgramRepository,
    /// Audit trail.
    pub audit: &'a dyn AuditRepository,
    /// Bases of processing (a new route needs the `iom` purpose allowed, 152-ФЗ art. 6).
    pub personal_data: &'a dyn crate::personal_data::PersonalDataRepository,
    /// Organisations (the territory a tutor serves).
    pub organizations: &'a dyn crate::organizations::OrganizationRepository,
    /// Which steps need accepted evidence to be done.
    pub evidence: &'a EvidencePolicy,
    /// Events and internship sites (linked steps).
    pub offerings: &'a dyn crate::development::events::OfferingRepository,
    /// Mentoring pairs (linked steps).
    pub mentoring: &'a dyn crate::development::mentoring::MentoringRepository,
    /// Event registrations (linked steps).
    pub participations: &'a dyn crate::development::participation::ParticipationRepository,
    /// Units of work (a route placing persons at sites is stored in one with their places).
    pub units: &'a dyn crate::exchange::UnitOfWork,
}

/// Which step activities need accepted evidence before a step may be marked done
/// (`RSNMS_ROUTE_EVIDENCE_ACTIVITIES`: a comma-separated list of activities, or `none`; default:
/// the activities without a record to complete from — `program`, `self_education`,
/// `professional_community`). Rejected or unreviewed evidence does not count. A linked step
/// (event, internship, mentoring) of an activity not listed is done by its record: attendance,
/// the site's period over, the pair closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidencePolicy {
    /// Activities whose steps need accepted evidence.
    pub activities: Vec<Activity>,
}

impl Default for EvidencePolicy {
    fn default() -> Self {
        Self { activities: vec![Activity::Program, Activity::SelfEducation, Activity::ProfessionalCommunity] }
    }
}

impl EvidencePolicy {
    /// Parses the setting: activity wire names separated by commas, or `none`.
    pub fn parse(s: &str) -> Result<Self, String> {
        if s.trim() == "none" {
            return Ok(Self { activities: Vec::new() });
        }
        let activities = s
            .split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(|x| Activity::parse(x).ok_or_else(|| format!("unknown activity {x}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { activities })
    }

    /// Whether a step of the activity needs accepted evidence to be done.
    pub fn needs_evidence(&self, a: Activity) -> bool {
        self.activities.contains(&a)
    }
}

/// A step as a client describes it.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    /// Existing step id (absent for a new step).
    pub id: Option<Uuid>,
    /// Title.
    pub title: Option<String>,
    /// Competencies addressed.
    pub competency_ids: Vec<Uuid>,
    /// Activity.
    pub activity: Option<Activity>,
    /// Programme.
    pub program_id: Option<Uuid>,
    /// Event (activity `event`).
    pub event_id: Option<Uuid>,
    /// Internship site (activity `internship`).
    pub internship_site_id: Option<Uuid>,
    /// Mentoring pair (activity `mentoring`).
    pub mentoring_pair_id: Option<Uuid>,
    /// Resource described.
    pub resource: Option<String>,
    /// Planned start.
    pub planned_start: Option<NaiveDate>,
    /// Planned end.
    pub planned_end: Option<NaiveDate>,
    /// Expected result.
    pub expected_result: Option<String>,
    /// Reporting form.
    pub reporting_form: Option<ReportingForm>,
    /// Status (default planned).
    pub status: Option<StepStatus>,
}

impl From<&Step> for StepInput {
    fn from(s: &Step) -> Self {
        Self {
            id: Some(s.id),
            title: Some(s.title.clone()),
            competency_ids: s.competency_ids.clone(),
            activity: Some(s.activity),
            program_id: s.program_id,
            event_id: s.event_id,
            internship_site_id: s.internship_site_id,
            mentoring_pair_id: s.mentoring_pair_id,
            resource: s.resource.clone(),
            planned_start: Some(s.planned_start),
            planned_end: Some(s.planned_end),
            expected_result: Some(s.expected_result.clone()),
            reporting_form: Some(s.reporting_form),
            status: Some(s.status),
        }
    }
}

/// A route as a client describes it.
#[derive(Debug, Clone, Default)]
pub struct RouteInput {
    /// Person.
    pub person_id: Option<Uuid>,
    /// Tutor.
    pub tutor_id: Option<Uuid>,
    /// First day.
    pub period_start: Option<NaiveDate>,
    /// Last day.
    pub period_end: Option<NaiveDate>,
    /// Campaigns.
    pub diagnostic_ids: Vec<Uuid>,
    /// Deficits addressed.
    pub deficit_competency_ids: Vec<Uuid>,
    /// Steps.
    pub steps: Vec<StepInput>,
}

impl From<&Route> for RouteInput {
    fn from(r: &Route) -> Self {
        Self {
            person_id: Some(r.person_id),
            tutor_id: Some(r.tutor_id),
            period_start: Some(r.period_start),
            period_end: Some(r.period_end),
            diagnostic_ids: r.diagnostic_ids.clone(),
            deficit_competency_ids: r.deficit_competency_ids.clone(),
            steps: r.steps.iter().map(StepInput::from).collect(),
        }
    }
}

/// Transfer into practice as a client describes it.
#[derive(Debug, Clone, Default)]
pub struct TransferInput {
    /// Form.
    pub form: Option<PracticeForm>,
    /// Date.
    pub held_on: Option<NaiveDate>,
    /// Description.
    pub description: Option<String>,
}

/// Completion data.
#[derive(Debug, Clone, Default)]
pub struct CompleteInput {
    /// Transfer into practice (at least one).
    pub transfer: Vec<TransferInput>,
    /// Date of a repeat diagnostic.
    pub repeat_diagnostic_on: Option<NaiveDate>,
    /// Campaign of the repeat diagnostic.
    pub repeat_campaign_id: Option<Uuid>,
}

/// Evidence as a client submits it.
#[derive(Debug, Clone, Default)]
pub struct EvidenceInput {
    /// What it is.
    pub kind: Option<ReportingForm>,
    /// Description.
    pub description: Option<String>,
    /// Link.
    pub url: Option<String>,
}

/// The state of one deficit a route addresses, derived from the person's latest results.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteDeficit {
    /// Competency.
    pub competency_id: Uuid,
    /// Open, or closed by a later result at level.
    pub status: DeficitStatus,
    /// Date of the result that closed it.
    pub closed_on: Option<NaiveDate>,
    /// Campaign of the result that closed it.
    pub closed_by_campaign_id: Option<Uuid>,
}

pub(super) fn not_found(field: &str, ru: &str, en: &str) -> FieldError {
    FieldError::new(field, "not_found", Msg::new(ru, en))
}

/// Whether a tutor of organisation `tutor_org` serves a person of `person_org`: a regional
/// organisation (the ЦНППМ, no municipality) serves its region, a municipal one its municipality.
async fn serves(d: Deps<'_>, tutor_org: Uuid, person_org: Uuid) -> DomainResult<bool> {
    let t = d.organizations.get(&Scope::All, tutor_org).await?;
    let p = d.organizations.get(&Scope::All, person_org).await?;
    Ok(t.serves(&p.region_code, p.municipality_code.as_deref()))
}

/// Validates a route. `existing` holds deficits already on the route (they may have closed
/// since); any other deficit must be open now.
async fn validate(
    d: Deps<'_>,
    ctx: &Ctx,
    input: RouteInput,
    existing: &[Uuid],
    previous: &[Step],
    id: Uuid,
) -> DomainResult<(Uuid, Uuid, NaiveDate, NaiveDate, Vec<Uuid>, Vec<Uuid>, Vec<Step>)> {
    let mut e = Errors::new();
    let person_id = required(&mut e, "person_id", input.person_id);
    let mut open: HashSet<Uuid> = HashSet::new();
    let mut person_org = None;
    if let Some(p) = person_id {
        match d.persons.get(&ctx.actor.scope(), p).await {
            Ok(found) => {
                person_org = Some(found.organization_id);
                open = derive_deficits(&d.diagnostics.person_results(p).await?)
                    .into_iter()
                    .filter(|x| x.status == DeficitStatus::Open)
                    .map(|x| x.competency_id)
                    .collect();
            }
            Err(DomainError::NotFound) => e.push(not_found("person_id", "Человек не найден", "Unknown person")),
            Err(other) => return Err(other),
        }
    }
    let tutor_id = required(&mut e, "tutor_id", input.tutor_id);
    if let Some(t) = tutor_id {
        match d.persons.get(&Scope::All, t).await {
            Ok(p) if p.roles.contains(&PersonRole::Tutor) && Some(t) != person_id => {
                if let Some(o) = person_org
                    && !serves(d, p.organization_id, o).await?
                {
                    e.push(FieldError::new(
                        "tutor_id",
                        "outside_territory",
                        Msg::new(
                            "Тьютор работает вне территории педагога (ЦНППМ региона или его муниципалитет)",
                            "The tutor serves another territory (the region's ЦНППМ or the teacher's municipality)",
                        ),
                    ));
                }
            }
            Ok(_) => e.push(FieldError::new(
                "tutor_id",
                "not_a_tutor",
                Msg::new("Тьютор — другой человек с ролью tutor", "The tutor must be another person with role tutor"),
            )),
            Err(DomainError::NotFound) => e.push(not_found("tutor_id", "Тьютор не найден", "Unknown tutor")),
            Err(other) => return Err(other),
        }
    }
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
    let campaigns = d.diagnostics.get_campaigns(&input.diagnostic_ids).await?;
    for (i, c) in input.diagnostic_ids.iter().enumerate() {
        if !campaigns.iter().any(|x| x.id == *c) {
            e.push(not_found(&format!("diagnostic_ids[{i}]"), "Диагностика не найдена", "Unknown diagnostic"));
        }
    }
    if input.deficit_competency_ids.is_empty() {
        e.push(FieldError::required("deficit_competency_ids"));
    }
    let mut seen = HashSet::new();
    for (i, c) in input.deficit_competency_ids.iter().enumerate() {
        let f = format!("deficit_competency_ids[{i}]");
        if !seen.insert(*c) {
            e.push(FieldError::new(f, "duplicate", Msg::new("Повторяется", "Listed twice")));
        } else if person_id.is_some() && !open.contains(c) && !existing.contains(c) {
            e.push(FieldError::new(
                f,
                "not_a_deficit",
                Msg::new(
                    "У человека нет открытого дефицита по этой компетенции",
                    "The person has no open deficit in this competency",
                ),
            ));
        }
    }
    let mut steps = Vec::new();
    let mut step_ids = HashSet::new();
    for (i, s) in input.steps.into_iter().enumerate() {
        let f = |n: &str| format!("steps[{i}].{n}");
        let sid = s.id.unwrap_or_else(Uuid::now_v7);
        if !step_ids.insert(sid) {
            e.push(FieldError::new(f("id"), "duplicate", Msg::new("Повторяется", "Listed twice")));
        }
        let title = text(&mut e, &f("title"), s.title.clone(), super::TITLE_MAX, true);
        if s.competency_ids.is_empty() {
            e.push(FieldError::required(f("competency_ids")));
        }
        for (j, c) in s.competency_ids.iter().enumerate() {
            if !input.deficit_competency_ids.contains(c) {
                e.push(FieldError::new(
                    format!("steps[{i}].competency_ids[{j}]"),
                    "not_in_route",
                    Msg::new(
                        "Шаг должен закрывать дефицит маршрута",
                        "A step must address one of the route's deficits",
                    ),
                ));
            }
        }
        let activity = required(&mut e, &f("activity"), s.activity);
        match (activity, s.program_id) {
            (Some(Activity::Program), None) => e.push(FieldError::required(f("program_id"))),
            (_, Some(p)) => match d.programs.get(p).await {
                Ok(_) => {}
                Err(DomainError::NotFound) => {
                    e.push(not_found(&f("program_id"), "Программа не найдена", "Unknown programme"))
                }
                Err(other) => return Err(other),
            },
            _ => {}
        }
        let resource = text(&mut e, &f("resource"), s.resource.clone(), super::RESOURCE_MAX, false);
        let before = previous.iter().find(|p| Some(p.id) == s.id);
        let dated = super::links::check_link(d, ctx, &mut e, i, &s, person_id, before).await?;
        // A linked step takes its dates from the record; the planned end of an open-ended pair
        // is the client's, or the route's last day.
        let (ps, pe) = match dated {
            Some((from, to)) => (Some(from), to.or(s.planned_end).or(end)),
            None => (
                required(&mut e, &f("planned_start"), s.planned_start),
                required(&mut e, &f("planned_end"), s.planned_end),
            ),
        };
        let date_field = match (dated, activity.and_then(super::links::link_field)) {
            (Some(_), Some(link)) => link.to_owned(),
            _ => "planned_start".to_owned(),
        };
        if let (Some(a), Some(b)) = (ps, pe) {
            if b < a {
                e.push(FieldError::new(
                    f("planned_end"),
                    "before_start",
                    Msg::new("Окончание раньше начала", "Ends before it starts"),
                ));
            }
            if let (Some(rs), Some(re)) = (start, end)
                && (a < rs || b > re)
            {
                e.push(FieldError::new(
                    f(&date_field),
                    "out_of_period",
                    Msg::new("Шаг выходит за период маршрута", "The step lies outside the route's period"),
                ));
            }
        }
        let expected = text(&mut e, &f("expected_result"), s.expected_result, super::EXPECTED_RESULT_MAX, true);
        let form = required(&mut e, &f("reporting_form"), s.reporting_form);
        if let (Some(title), Some(activity), Some(planned_start), Some(planned_end), Some(expected_result), Some(rf)) =
            (title, activity, ps, pe, expected, form)
        {
            steps.push(Step {
                id: sid,
                title,
                competency_ids: s.competency_ids,
                activity,
                program_id: s.program_id,
                event_id: s.event_id,
                internship_site_id: s.internship_site_id,
                mentoring_pair_id: s.mentoring_pair_id,
                resource,
                planned_start,
                planned_end,
                expected_result,
                reporting_form: rf,
                status: s.status.unwrap_or(StepStatus::Planned),
            });
        }
    }
    e.finish()?;
    let (Some(person_id), Some(tutor_id), Some(start), Some(end)) = (person_id, tutor_id, start, end) else {
        return Err(lost("route"));
    };
    if d.routes.overlapping(person_id, start, end, Some(id)).await? {
        return Err(DomainError::conflict(
            "period_start",
            Msg::new(
                "У человека уже есть маршрут на пересекающийся период",
                "The person already has a route for an overlapping period",
            ),
        ));
    }
    Ok((person_id, tutor_id, start, end, input.diagnostic_ids, input.deficit_competency_ids, steps))
}

pub(super) const BUILDERS: &[Role] = &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization];
/// Roles that read routes and their evidence (within their scope).
pub const READERS: &[Role] =
    &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization, Role::Tutor, Role::Teacher, Role::Integration];

pub(super) fn is_tutor_of(ctx: &Ctx, r: &Route) -> bool {
    ctx.actor.role == Role::Tutor && ctx.actor.person_id == Some(r.tutor_id)
}

pub(super) fn forbidden() -> DomainError {
    DomainError::Forbidden(Msg::new(
        "Действие доступно тьютору маршрута или оператору ЦНППМ",
        "Only the route's tutor or a ЦНППМ operator may do this",
    ))
}

pub(super) fn wrong_state(r: &Route) -> DomainError {
    DomainError::Conflict {
        field: Some("status".into()),
        message: Msg::new(
            format!("Действие недоступно в состоянии «{}»", r.status.as_str()),
            format!("The action is not allowed in state '{}'", r.status.as_str()),
        ),
        allowed: r.status.allowed_actions(),
    }
}

/// Creates a draft route for a person in the caller's scope.
pub async fn create_route(d: Deps<'_>, ctx: &Ctx, input: RouteInput) -> DomainResult<Route> {
    ctx.actor.require(BUILDERS)?;
    let id = Uuid::now_v7();
    let (person_id, tutor_id, period_start, period_end, diagnostic_ids, deficit_competency_ids, steps) =
        validate(d, ctx, input, &[], &[], id).await?;
    crate::personal_data::require_purpose(d.personal_data, person_id, crate::personal_data::purposes::IOM).await?;
    if let Some(i) = steps.iter().position(|s| s.status != StepStatus::Planned) {
        return Err(step_not_running(i, RouteStatus::Draft));
    }
    let now = Utc::now();
    super::links::store(
        d,
        ctx,
        Route {
            id,
            person_id,
            tutor_id,
            period_start,
            period_end,
            status: RouteStatus::Draft,
            diagnostic_ids,
            deficit_competency_ids,
            steps,
            transfer: Vec::new(),
            repeat_diagnostic_on: None,
            repeat_campaign_id: None,
            approved_by: None,
            approved_at: None,
            started_at: None,
            completed_at: None,
            cancelled_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        },
        &[],
        super::links::Write::Create,
    )
    .await
}

/// The state of a route's deficits from the person's current results.
pub fn route_deficits(
    route: &Route,
    results: &[crate::development::diagnostics::DiagnosticResult],
) -> Vec<RouteDeficit> {
    let derived = derive_deficits(results);
    route
        .deficit_competency_ids
        .iter()
        .map(|c| match derived.iter().find(|x| x.competency_id == *c) {
            Some(x) if x.status == DeficitStatus::Open => RouteDeficit {
                competency_id: *c,
                status: DeficitStatus::Open,
                closed_on: None,
                closed_by_campaign_id: None,
            },
            Some(x) => RouteDeficit {
                competency_id: *c,
                status: DeficitStatus::Closed,
                closed_on: x.closed_by.as_ref().map(|r| r.assessed_on),
                closed_by_campaign_id: x.closed_by.as_ref().map(|r| r.campaign_id),
            },
            None => RouteDeficit {
                competency_id: *c,
                status: DeficitStatus::Open,
                closed_on: None,
                closed_by_campaign_id: None,
            },
        })
        .collect()
}

/// The tutor as the route shows her: name, position and her organisation's work contacts (no
/// personal contacts of hers).
#[derive(Debug, Clone, PartialEq)]
pub struct RouteTutor {
    /// Person id.
    pub id: Uuid,
    /// Full name.
    pub full_name: String,
    /// Position.
    pub position: Option<String>,
    /// Her organisation.
    pub organization_id: Uuid,
    /// Its name.
    pub organization_name: String,
    /// Work phone (the organisation's).
    pub work_phone: Option<String>,
    /// Work e-mail (the organisation's).
    pub work_email: Option<String>,
}

/// The route's tutor, for whoever reads the route.
async fn route_tutor(d: Deps<'_>, r: &Route) -> DomainResult<Option<RouteTutor>> {
    let p = match d.persons.get(&Scope::All, r.tutor_id).await {
        Ok(p) => p,
        Err(DomainError::NotFound) => return Ok(None),
        Err(other) => return Err(other),
    };
    let org = d.organizations.get(&Scope::All, p.organization_id).await?;
    Ok(Some(tutor_view(&p, &org)))
}

/// A tutor as routes show her: her name and position, her organisation and its work contacts.
pub(super) fn tutor_view(p: &crate::persons::Person, org: &crate::organizations::Organization) -> RouteTutor {
    RouteTutor {
        id: p.id,
        full_name: p.full_name(),
        position: p.position.clone(),
        organization_id: org.id,
        organization_name: org.name.clone(),
        work_phone: org.contacts.phone.clone(),
        work_email: org.contacts.email.clone(),
    }
}

/// Reads a route with the state of its deficits (the person's results read are audited) and its
/// tutor.
pub async fn get_route(
    d: Deps<'_>,
    ctx: &Ctx,
    id: Uuid,
) -> DomainResult<(Route, Vec<RouteDeficit>, Option<RouteTutor>)> {
    ctx.actor.require(READERS)?;
    let mut route = d.routes.get(&ctx.actor.scope(), id).await?;
    super::links::resolve(d, &mut route).await?;
    let results = d.diagnostics.person_results(route.person_id).await?;
    let shown: Vec<Uuid> =
        results.iter().filter(|r| route.deficit_competency_ids.contains(&r.competency_id)).map(|r| r.id).collect();
    if !shown.is_empty() {
        d.audit.record_reads(ctx, "diagnostic_result", &shown).await?;
    }
    let deficits = route_deficits(&route, &results);
    let tutor = route_tutor(d, &route).await?;
    Ok((route, deficits, tutor))
}

/// Lists routes in the caller's scope.
pub async fn list_routes(d: Deps<'_>, ctx: &Ctx, filter: &RouteFilter, page: PageRequest) -> DomainResult<Page<Route>> {
    ctx.actor.require(READERS)?;
    let mut page = d.routes.list(&ctx.actor.scope(), filter, page).await?;
    for r in &mut page.items {
        super::links::resolve(d, r).await?;
    }
    Ok(page)
}

/// The route at the version the client changes, its linked steps resolved.
pub(super) async fn current(d: Deps<'_>, ctx: &Ctx, id: Uuid, expected_version: i64) -> DomainResult<Route> {
    let mut r = d.routes.get(&ctx.actor.scope(), id).await?;
    if r.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    super::links::resolve(d, &mut r).await?;
    Ok(r)
}

/// Changes a route with a merge patch (the person cannot change); a completed or cancelled
/// route is frozen (409).
pub async fn update_route(
    d: Deps<'_>,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    patch: impl FnOnce(RouteInput) -> DomainResult<RouteInput>,
) -> DomainResult<Route> {
    ctx.actor.require(&[Role::Admin, Role::Operator, Role::Municipal, Role::Organization, Role::Tutor])?;
    let r = current(d, ctx, id, expected_version).await?;
    if ctx.actor.role == Role::Tutor && !is_tutor_of(ctx, &r) {
        return Err(forbidden());
    }
    if matches!(r.status, RouteStatus::Completed | RouteStatus::Cancelled) {
        return Err(wrong_state(&r));
    }
    let input = patch(RouteInput::from(&r))?;
    if input.person_id != Some(r.person_id) {
        return Err(DomainError::field(
            "person_id",
            "immutable",
            Msg::new("Маршрут принадлежит одному человеку", "A route belongs to one person for good"),
        ));
    }
    let (_, tutor_id, period_start, period_end, diagnostic_ids, deficit_competency_ids, steps) =
        validate(d, ctx, input, &r.deficit_competency_ids, &r.steps, id).await?;
    check_step_statuses(d, &r, &steps).await?;
    let replanned = plan(&r.steps) != plan(&steps)
        || r.deficit_competency_ids != deficit_competency_ids
        || (r.period_start, r.period_end) != (period_start, period_end);
    let previous = r.steps.clone();
    let mut next = Route { tutor_id, period_start, period_end, diagnostic_ids, deficit_competency_ids, steps, ..r };
    if replanned && matches!(next.status, RouteStatus::Approved | RouteStatus::InProgress) {
        // A changed plan holds only once approved again: back to a draft (the version history
        // keeps the approved plan, who approved it and when).
        next.status = RouteStatus::Draft;
        next.approved_by = None;
        next.approved_at = None;
        return super::links::store(d, ctx, next, &previous, super::links::Write::Save(expected_version, "replan"))
            .await;
    }
    let saved =
        super::links::store(d, ctx, next, &previous, super::links::Write::Save(expected_version, "update")).await?;
    resolved(d, saved).await
}

/// A route as stored after a change, its linked steps resolved for the answer.
pub(super) async fn resolved(d: Deps<'_>, mut r: Route) -> DomainResult<Route> {
    super::links::resolve(d, &mut r).await?;
    Ok(r)
}

/// A route's plan: its steps as planned, whatever their progress.
fn plan(steps: &[Step]) -> Vec<Step> {
    steps.iter().map(|s| Step { status: StepStatus::Planned, ..s.clone() }).collect()
}

fn step_not_running(i: usize, status: RouteStatus) -> DomainError {
    DomainError::Conflict {
        field: Some(format!("steps[{i}].status")),
        message: Msg::new(
            "Отмечать выполнение шагов можно только в выполняемом маршруте (in_progress)",
            "Steps progress only in a route in progress",
        ),
        allowed: status.allowed_actions(),
    }
}

/// A step's status changes only in a route in progress, and a step whose activity needs
/// evidence is done only with accepted evidence (409 naming the step, with the statuses allowed).
async fn check_step_statuses(d: Deps<'_>, r: &Route, steps: &[Step]) -> DomainResult<()> {
    let mut evidence: Option<Vec<Evidence>> = None;
    for (i, s) in steps.iter().enumerate() {
        let before = r.steps.iter().find(|x| x.id == s.id).map_or(StepStatus::Planned, |x| x.status);
        if s.status == before {
            continue;
        }
        if r.status != RouteStatus::InProgress {
            return Err(step_not_running(i, r.status));
        }
        let others = || -> Vec<String> {
            [StepStatus::Planned, StepStatus::InProgress, StepStatus::Skipped]
                .iter()
                .filter(|x| **x != before)
                .map(|x| x.as_str().to_owned())
                .collect()
        };
        if s.status == StepStatus::Done && !d.evidence.needs_evidence(s.activity) && super::links::is_linked(s) {
            // Resolved already: a linked step not shown done has no finished record yet.
            return Err(DomainError::Conflict {
                field: Some(format!("steps[{i}].status")),
                message: Msg::new(
                    format!(
                        "Шаг «{}» выполняется по связанной записи (посещение мероприятия, окончание стажировки, закрытие пары)",
                        s.title
                    ),
                    format!(
                        "Step '{}' is done by its linked record (attendance, the placement over, the pair closed)",
                        s.title
                    ),
                ),
                allowed: others(),
            });
        }
        if s.status == StepStatus::Done && d.evidence.needs_evidence(s.activity) {
            if evidence.is_none() {
                evidence = Some(d.routes.list_evidence(r.id).await?);
            }
            let accepted = evidence
                .as_deref()
                .unwrap_or_default()
                .iter()
                .any(|e| e.step_id == s.id && e.status == EvidenceStatus::Accepted);
            if !accepted {
                return Err(DomainError::Conflict {
                    field: Some(format!("steps[{i}].status")),
                    message: Msg::new(
                        format!(
                            "Шаг «{}» выполнен только с принятым подтверждением (материал, проверенный тьютором)",
                            s.title
                        ),
                        format!("Step '{}' is done only with accepted evidence (reviewed by the tutor)", s.title),
                    ),
                    allowed: others(),
                });
            }
        }
    }
    Ok(())
}

pub(super) fn needs_steps(r: &Route) -> DomainResult<()> {
    if r.steps.is_empty() {
        return Err(DomainError::Conflict {
            field: Some("steps".into()),
            message: Msg::new("В маршруте нет ни одного шага", "The route has no steps"),
            allowed: r.status.allowed_actions().into_iter().filter(|a| a == "cancel").collect(),
        });
    }
    Ok(())
}

/// Approves a draft: the route's tutor or a ЦНППМ operator (or admin); a route needs steps.
pub async fn approve_route(d: Deps<'_>, ctx: &Ctx, id: Uuid, expected_version: i64) -> DomainResult<Route> {
    ctx.actor.require(&[Role::Admin, Role::Operator, Role::Tutor])?;
    let mut r = current(d, ctx, id, expected_version).await?;
    if ctx.actor.role == Role::Tutor && !is_tutor_of(ctx, &r) {
        return Err(forbidden());
    }
    if !matches!(r.status, RouteStatus::Draft | RouteStatus::InReview) {
        return Err(wrong_state(&r));
    }
    needs_steps(&r)?;
    r.status = RouteStatus::Approved;
    r.approved_by = Some(ctx.actor.subject.clone());
    r.approved_at = Some(Utc::now());
    d.routes.save(ctx, r, expected_version, "approve").await
}

/// Starts an approved route: its tutor, the person, or the region.
pub async fn start_route(d: Deps<'_>, ctx: &Ctx, id: Uuid, expected_version: i64) -> DomainResult<Route> {
    ctx.actor.require(&[Role::Admin, Role::Operator, Role::Tutor, Role::Teacher])?;
    let mut r = current(d, ctx, id, expected_version).await?;
    let own = ctx.actor.person_id == Some(r.person_id);
    if (ctx.actor.role == Role::Tutor && !is_tutor_of(ctx, &r)) || (ctx.actor.role == Role::Teacher && !own) {
        return Err(forbidden());
    }
    if r.status != RouteStatus::Approved {
        return Err(wrong_state(&r));
    }
    needs_steps(&r)?;
    r.status = RouteStatus::InProgress;
    r.started_at = Some(Utc::now());
    resolved(d, d.routes.save(ctx, r, expected_version, "start").await?).await
}

/// Completes a route in progress: every step done or skipped, the transfer into practice
/// recorded, and optionally a repeat diagnostic scheduled. The route is then frozen.
pub async fn complete_route(
    d: Deps<'_>,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    input: CompleteInput,
) -> DomainResult<Route> {
    ctx.actor.require(&[Role::Admin, Role::Operator, Role::Tutor])?;
    let mut r = current(d, ctx, id, expected_version).await?;
    if ctx.actor.role == Role::Tutor && !is_tutor_of(ctx, &r) {
        return Err(forbidden());
    }
    if r.status != RouteStatus::InProgress {
        return Err(wrong_state(&r));
    }
    needs_steps(&r)?;
    let mut e = Errors::new();
    if input.transfer.is_empty() {
        e.push(FieldError::new(
            "transfer",
            "required",
            Msg::new(
                "Укажите перенос в практику (стажировка, мастер-класс, обмен опытом, посещение уроков)",
                "Record the transfer into practice (internship, master class, experience exchange, lesson visit)",
            ),
        ));
    }
    let mut transfer = Vec::new();
    for (i, t) in input.transfer.into_iter().enumerate() {
        let f = |n: &str| format!("transfer[{i}].{n}");
        let form = required(&mut e, &f("form"), t.form);
        let held_on = required(&mut e, &f("held_on"), t.held_on);
        let description = text(&mut e, &f("description"), t.description, super::NOTE_MAX, true);
        if let (Some(form), Some(held_on), Some(description)) = (form, held_on, description) {
            transfer.push(Transfer { form, held_on, description });
        }
    }
    if let Some(on) = input.repeat_diagnostic_on
        && on <= r.period_start
    {
        e.push(FieldError::new(
            "repeat_diagnostic_on",
            "too_early",
            Msg::new("Повторная диагностика — после начала маршрута", "The repeat comes after the route starts"),
        ));
    }
    if let Some(c) = input.repeat_campaign_id {
        match d.diagnostics.get_campaigns(&[c]).await?.first() {
            None => e.push(not_found("repeat_campaign_id", "Диагностика не найдена", "Unknown diagnostic")),
            // The loop closes per competency: the repeat must measure one of the route's deficits.
            Some(campaign) if !campaign.competency_ids.iter().any(|x| r.deficit_competency_ids.contains(x)) => {
                e.push(FieldError::new(
                    "repeat_campaign_id",
                    "covers_no_deficit",
                    Msg::new(
                        "Повторная диагностика не охватывает ни одного дефицита маршрута",
                        "The repeat diagnostic covers none of the route's deficits",
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    e.finish()?;
    let open: Vec<String> = r
        .steps
        .iter()
        .filter(|s| !matches!(s.status, StepStatus::Done | StepStatus::Skipped))
        .map(|s| s.title.clone())
        .collect();
    if !open.is_empty() {
        return Err(DomainError::Conflict {
            field: Some("steps".into()),
            message: Msg::new(
                format!("Не завершены шаги: {}", open.join("; ")),
                format!("Steps not finished: {}", open.join("; ")),
            ),
            allowed: r.status.allowed_actions().into_iter().filter(|a| a != "complete").collect(),
        });
    }
    if !r.steps.iter().any(|s| s.status == StepStatus::Done) {
        return Err(DomainError::Conflict {
            field: Some("steps".into()),
            message: Msg::new(
                "Ни один шаг не выполнен: маршрут не может быть завершён с прогрессом 0 %",
                "No step is done: a route does not complete at 0 %",
            ),
            allowed: r.status.allowed_actions().into_iter().filter(|a| a != "complete").collect(),
        });
    }
    r.status = RouteStatus::Completed;
    r.completed_at = Some(Utc::now());
    r.transfer = transfer;
    r.repeat_diagnostic_on = input.repeat_diagnostic_on;
    r.repeat_campaign_id = input.repeat_campaign_id;
    d.routes.save(ctx, r, expected_version, "complete").await
}

/// Cancels a route that is not finished.
pub async fn cancel_route(d: Deps<'_>, ctx: &Ctx, id: Uuid, expected_version: i64) -> DomainResult<Route> {
    ctx.actor.require(&[Role::Admin, Role::Operator, Role::Municipal, Role::Organization, Role::Tutor])?;
    let mut r = current(d, ctx, id, expected_version).await?;
    if ctx.actor.role == Role::Tutor && !is_tutor_of(ctx, &r) {
        return Err(forbidden());
    }
    if matches!(r.status, RouteStatus::Completed | RouteStatus::Cancelled) {
        return Err(wrong_state(&r));
    }
    r.status = RouteStatus::Cancelled;
    r.cancelled_at = Some(Utc::now());
    d.routes.save(ctx, r, expected_version, "cancel").await
}

/// Appends evidence to a step of a route in progress: the person, their tutor, or the region.
pub async fn add_evidence(
    d: Deps<'_>,
    ctx: &Ctx,
    route_id: Uuid,
    step_id: Uuid,
    input: EvidenceInput,
) -> DomainResult<Evidence> {
    ctx.actor.require(&[Role::Admin, Role::Operator, Role::Tutor, Role::Teacher])?;
    let r = d.routes.get(&ctx.actor.scope(), route_id).await?;
    if ctx.actor.role == Role::Tutor && !is_tutor_of(ctx, &r) {
        return Err(forbidden());
    }
    if ctx.actor.role == Role::Teacher && ctx.actor.person_id != Some(r.person_id) {
        return Err(forbidden());
    }
    if !r.steps.iter().any(|s| s.id == step_id) {
        return Err(DomainError::NotFound);
    }
    if r.status != RouteStatus::InProgress {
        return Err(wrong_state(&r));
    }
    let mut e = Errors::new();
    let kind = required(&mut e, "kind", input.kind);
    let description = text(&mut e, "description", input.description, super::EVIDENCE_DESCRIPTION_MAX, true);
    let url = text(&mut e, "url", input.url, super::EVIDENCE_URL_MAX, false);
    if let Some(u) = &url
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        e.push(FieldError::new(
            "url",
            "invalid_url",
            Msg::new("Нужна ссылка http(s)://", "An http(s) URL is expected"),
        ));
    }
    e.finish()?;
    let (Some(kind), Some(description)) = (kind, description) else { return Err(lost("evidence")) };
    d.routes
        .add_evidence(
            ctx,
            Evidence {
                id: Uuid::now_v7(),
                route_id,
                step_id,
                kind,
                description,
                url,
                submitted_by: ctx.actor.subject.clone(),
                submitted_at: Utc::now(),
                status: EvidenceStatus::Submitted,
                reviewed_by: None,
                reviewed_at: None,
                review_comment: None,
                rating: None,
            },
        )
        .await
}

/// Every version of a route, oldest first: who changed it, when, and the plan it had.
pub async fn route_versions(d: Deps<'_>, ctx: &Ctx, route_id: Uuid) -> DomainResult<Vec<super::RouteVersion>> {
    ctx.actor.require(READERS)?;
    d.routes.get(&ctx.actor.scope(), route_id).await?;
    d.routes.versions(route_id).await
}

/// Lists a route's evidence, oldest first.
pub async fn list_evidence(d: Deps<'_>, ctx: &Ctx, route_id: Uuid) -> DomainResult<Vec<Evidence>> {
    ctx.actor.require(READERS)?;
    d.routes.get(&ctx.actor.scope(), route_id).await?;
    d.routes.list_evidence(route_id).await
}

/// Accepts or rejects submitted evidence: the route's tutor or the region. A decision is final;
/// accepted evidence stays for good.
pub async fn review_evidence(
    d: Deps<'_>,
    ctx: &Ctx,
    route_id: Uuid,
    evidence_id: Uuid,
    decision: Option<EvidenceStatus>,
    comment: Option<String>,
    rating: Option<i16>,
) -> DomainResult<Evidence> {
    ctx.actor.require(&[Role::Admin, Role::Operator, Role::Tutor])?;
    let r = d.routes.get(&ctx.actor.scope(), route_id).await?;
    if ctx.actor.role == Role::Tutor && !is_tutor_of(ctx, &r) {
        return Err(forbidden());
    }
    let mut ev = d.routes.get_evidence(route_id, evidence_id).await?;
    let mut e = Errors::new();
    let decision = required(&mut e, "decision", decision);
    if decision == Some(EvidenceStatus::Submitted) {
        e.push(FieldError::new(
            "decision",
            "invalid_value",
            Msg::new("Решение: accepted или rejected", "The decision is accepted or rejected"),
        ));
    }
    let comment = text(&mut e, "comment", comment, super::NOTE_MAX, false);
    if rating.is_some_and(|x| !(1..=5).contains(&x)) {
        e.push(FieldError::new("rating", "out_of_range", Msg::new("Оценка от 1 до 5", "The rating is 1 to 5")));
    }
    e.finish()?;
    if ev.status != EvidenceStatus::Submitted {
        return Err(DomainError::Conflict {
            field: Some("status".into()),
            message: Msg::new("Решение по материалу уже принято", "The evidence has already been reviewed"),
            allowed: Vec::new(),
        });
    }
    if matches!(r.status, RouteStatus::Completed | RouteStatus::Cancelled) {
        return Err(wrong_state(&r));
    }
    ev.status = decision.unwrap_or(EvidenceStatus::Rejected);
    ev.reviewed_by = Some(ctx.actor.subject.clone());
    ev.reviewed_at = Some(Utc::now());
    ev.review_comment = comment;
    ev.rating = rating;
    d.routes.review_evidence(ctx, ev).await
}
