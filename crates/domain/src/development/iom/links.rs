//! Linked steps (issue 17): an `event` step references the person's registration for an event,
//! an `internship` step a placement at an internship site, a `mentoring` step the pair whose
//! mentee is the person; `program` steps reference the programme. A linked step takes its dates
//! from the record, and — unless its activity needs accepted evidence (`EvidencePolicy`) — its
//! completion: attendance, the site's period over, the pair closed. Other activities are free
//! text. Steps recorded before links existed keep their free-text description.

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::{
    Activity, Route, RouteRepository, RouteStatus, Step, StepInput, StepStatus, rules::Deps, rules::not_found,
};
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Scope},
    clock,
    development::{
        events::{OfferingKind, OfferingRepository},
        participation::ParticipationStatus,
    },
    error::Errors,
};

/// The field naming the record a step of the activity references, if its steps are linked.
pub fn link_field(a: Activity) -> Option<&'static str> {
    match a {
        Activity::Event => Some("event_id"),
        Activity::Internship => Some("internship_site_id"),
        Activity::Mentoring => Some("mentoring_pair_id"),
        Activity::Program | Activity::SelfEducation | Activity::ProfessionalCommunity => None,
    }
}

/// Whether a step references an event, a site or a pair.
pub(super) fn is_linked(s: &Step) -> bool {
    s.event_id.is_some() || s.internship_site_id.is_some() || s.mentoring_pair_id.is_some()
}

/// Checks the link of step `i`: the record exists (in the caller's scope for pairs), belongs to
/// the person, and is of the step's activity (a step without an activity has no link). Returns the record's first and (if known) last day.
pub(super) async fn check_link(
    d: Deps<'_>,
    ctx: &Ctx,
    e: &mut Errors,
    i: usize,
    s: &StepInput,
    person_id: Option<Uuid>,
    before: Option<&Step>,
) -> DomainResult<Option<(NaiveDate, Option<NaiveDate>)>> {
    let Some(activity) = s.activity else { return Ok(None) };
    let f = |n: &str| format!("steps[{i}].{n}");
    let own = link_field(activity);
    for (name, v) in [
        ("event_id", s.event_id),
        ("internship_site_id", s.internship_site_id),
        ("mentoring_pair_id", s.mentoring_pair_id),
    ] {
        if v.is_some() && own != Some(name) {
            e.push(FieldError::new(
                f(name),
                "not_for_activity",
                Msg::new(
                    format!("Ссылка не соответствует виду шага «{}»", activity.as_str()),
                    format!("This link does not belong to activity '{}'", activity.as_str()),
                ),
            ));
        }
    }
    let Some(field) = own else { return Ok(None) };
    let id = match activity {
        Activity::Event => s.event_id,
        Activity::Internship => s.internship_site_id,
        Activity::Mentoring => s.mentoring_pair_id,
        _ => None,
    };
    // Without a link the step stays free text (`resource`), as steps written before links
    // existed: it takes no dates nor completion from a record.
    let Some(id) = id else { return Ok(None) };
    let _ = before;
    match activity {
        Activity::Event => {
            let event = match d.offerings.get(OfferingKind::Event, id).await {
                Ok(x) => x,
                Err(DomainError::NotFound) => {
                    e.push(not_found(&f(field), "Мероприятие не найдено", "Unknown event"));
                    return Ok(None);
                }
                Err(other) => return Err(other),
            };
            if let Some(p) = person_id {
                let registered =
                    d.participations.of_person(p).await?.iter().any(|r| r.event_id == id && r.status.holds_place());
                if !registered {
                    e.push(FieldError::new(
                        f(field),
                        "not_registered",
                        Msg::new(
                            "Педагог не зарегистрирован на мероприятие: сначала регистрация (POST /events/{id}/participants)",
                            "The person is not registered for the event: register first (POST /events/{id}/participants)",
                        ),
                    ));
                }
            }
            Ok(Some((event.starts_on, Some(event.starts_on))))
        }
        Activity::Internship => match d.offerings.get(OfferingKind::InternshipSite, id).await {
            Ok(site) => Ok(Some((site.starts_on, Some(site.ends_on.unwrap_or(site.starts_on))))),
            Err(DomainError::NotFound) => {
                e.push(not_found(&f(field), "Стажировочная площадка не найдена", "Unknown internship site"));
                Ok(None)
            }
            Err(other) => Err(other),
        },
        _ => match d.mentoring.get(&ctx.actor.scope(), id).await {
            Ok(pair) => {
                if person_id.is_some_and(|p| p != pair.mentee_id) {
                    e.push(FieldError::new(
                        f(field),
                        "not_the_mentee",
                        Msg::new(
                            "В этой наставнической паре педагог не наставляемый",
                            "The person is not the mentee of this pair",
                        ),
                    ));
                }
                Ok(Some((pair.period_start, pair.period_end)))
            }
            Err(DomainError::NotFound) => {
                e.push(not_found(&f(field), "Наставническая пара не найдена", "Unknown mentoring pair"));
                Ok(None)
            }
            Err(other) => Err(other),
        },
    }
}

/// The sites a route's steps newly place the person at (not placed there by `previous`), in
/// ascending order (the order their rows are locked in).
fn new_sites(steps: &[Step], previous: &[Step]) -> Vec<Uuid> {
    let mut sites: Vec<Uuid> = steps
        .iter()
        .filter_map(|s| s.internship_site_id)
        .filter(|site| !previous.iter().any(|p| p.internship_site_id == Some(*site)))
        .collect();
    sites.sort_unstable();
    sites.dedup();
    sites
}

/// A site's places hold: a step newly placed at a site with a `capacity` is refused (409 naming
/// the step's `internship_site_id`) when the live routes' placements there would exceed it.
/// `routes.placements` locks the site's row, so inside a unit of work the count stays true
/// until the route is stored.
async fn check_capacity(
    offerings: &dyn OfferingRepository,
    routes: &dyn RouteRepository,
    route: &Route,
    previous: &[Step],
) -> DomainResult<()> {
    for site_id in new_sites(&route.steps, previous) {
        let taken = routes.placements(site_id, route.id).await?;
        let site = offerings.get(OfferingKind::InternshipSite, site_id).await?;
        let Some(capacity) = site.capacity else { continue };
        let mine = route.steps.iter().filter(|x| x.internship_site_id == Some(site_id)).count();
        if taken + i64::try_from(mine).unwrap_or(i64::MAX) > i64::from(capacity) {
            let i = route.steps.iter().position(|x| x.internship_site_id == Some(site_id)).unwrap_or_default();
            return Err(DomainError::Conflict {
                field: Some(format!("steps[{i}].internship_site_id")),
                message: Msg::new(
                    format!("На стажировочной площадке нет свободных мест (мест: {capacity})"),
                    format!("The internship site is full ({capacity} places)"),
                ),
                allowed: Vec::new(),
            });
        }
    }
    Ok(())
}

/// How a route is stored.
pub(super) enum Write {
    /// A new route.
    Create,
    /// A change of the stored `expected_version`, named `action` in the trail.
    Save(i64, &'static str),
}

async fn write(routes: &dyn RouteRepository, ctx: &Ctx, route: Route, how: Write) -> DomainResult<Route> {
    match how {
        Write::Create => routes.create(ctx, route).await,
        Write::Save(expected_version, action) => routes.save(ctx, route, expected_version, action).await,
    }
}

/// Stores a route. When it newly places the person at internship sites with a capacity, the
/// places are counted and the route stored in one unit of work with the sites' rows locked
/// (`FOR UPDATE` on PostgreSQL; SQLite's write transaction is exclusive), so that concurrent
/// placements never exceed the capacity; refused, nothing is written.
pub(super) async fn store(d: Deps<'_>, ctx: &Ctx, route: Route, previous: &[Step], how: Write) -> DomainResult<Route> {
    let mut limited = false;
    for site_id in new_sites(&route.steps, previous) {
        limited |= d.offerings.get(OfferingKind::InternshipSite, site_id).await?.capacity.is_some();
    }
    if !limited {
        return write(d.routes, ctx, route, how).await;
    }
    let unit = d.units.begin().await?;
    let done = async {
        check_capacity(unit.offerings(), unit.routes(), &route, previous).await?;
        write(unit.routes(), ctx, route, how).await
    }
    .await;
    crate::exchange::imports::finish(unit, done).await
}

/// Today at an organisation (its time zone).
async fn today_at(d: Deps<'_>, organization_id: Uuid, cache: &mut HashMap<Uuid, NaiveDate>) -> DomainResult<NaiveDate> {
    if let Some(t) = cache.get(&organization_id) {
        return Ok(*t);
    }
    let org = d.organizations.get(&Scope::All, organization_id).await?;
    let today = clock::today_at(&org.time_zone);
    cache.insert(organization_id, today);
    Ok(today)
}

/// Whether the record a step references is finished: the person attended the event, the site's
/// period is over, the pair is closed (its last day passed). A vanished record is not finished.
async fn finished(
    d: Deps<'_>,
    person_id: Uuid,
    s: &Step,
    attended: &mut Option<Vec<Uuid>>,
    today: &mut HashMap<Uuid, NaiveDate>,
) -> DomainResult<bool> {
    if let Some(event_id) = s.event_id {
        if attended.is_none() {
            *attended = Some(
                d.participations
                    .of_person(person_id)
                    .await?
                    .into_iter()
                    .filter(|r| r.status == ParticipationStatus::Attended)
                    .map(|r| r.event_id)
                    .collect(),
            );
        }
        return Ok(attended.as_ref().is_some_and(|a| a.contains(&event_id)));
    }
    if let Some(site_id) = s.internship_site_id {
        return match d.offerings.get(OfferingKind::InternshipSite, site_id).await {
            Ok(site) => Ok(today_at(d, site.organization_id, today).await? > site.ends_on.unwrap_or(site.starts_on)),
            Err(DomainError::NotFound) => Ok(false),
            Err(other) => Err(other),
        };
    }
    if let Some(pair_id) = s.mentoring_pair_id {
        return match d.mentoring.get(&Scope::All, pair_id).await {
            Ok(pair) => match pair.period_end {
                Some(last) => Ok(today_at(d, pair.organization_id, today).await? > last),
                None => Ok(false),
            },
            Err(DomainError::NotFound) => Ok(false),
            Err(other) => Err(other),
        };
    }
    Ok(false)
}

/// Marks done the linked steps of a running route whose records are finished (activities that
/// need evidence excepted). A completed route keeps the statuses it was completed with. Every
/// reader of step statuses goes through it (the route's GET and list, its actions, the federal
/// routes export), so that completions come from the linked records.
pub async fn resolve(d: Deps<'_>, r: &mut Route) -> DomainResult<()> {
    if r.status != RouteStatus::InProgress {
        return Ok(());
    }
    let mut attended = None;
    let mut today = HashMap::new();
    for i in 0..r.steps.len() {
        let Some(s) = r.steps.get(i) else { continue };
        if !is_linked(s)
            || d.evidence.needs_evidence(s.activity)
            || !matches!(s.status, StepStatus::Planned | StepStatus::InProgress)
        {
            continue;
        }
        if finished(d, r.person_id, s, &mut attended, &mut today).await?
            && let Some(s) = r.steps.get_mut(i)
        {
            s.status = StepStatus::Done;
        }
    }
    Ok(())
}
