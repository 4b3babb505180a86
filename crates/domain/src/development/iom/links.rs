//! Linked steps (issue 17): an `event` step references the person's registration for an event,
//! an `internship` step a placement at an internship site, a `mentoring` step the pair whose
//! mentee is the person; `program` steps reference the programme. A linked step takes its dates
//! from the record, and — unless its activity needs accepted evidence (`EvidencePolicy`) — its
//! completion: attendance, the site's period over, the pair closed. Other activities are free
//! text. Steps recorded before links existed keep their free-text description.

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::{Activity, Route, RouteStatus, Step, StepInput, StepStatus, rules::Deps, rules::not_found};
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Scope},
    clock,
    development::{events::OfferingKind, participation::ParticipationStatus},
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

/// A site's places hold: a step newly placed at a site with a `capacity` is refused (409 naming
/// the step's `internship_site_id`) when the live routes' placements there would exceed it.
pub(super) async fn check_capacity(d: Deps<'_>, route_id: Uuid, steps: &[Step], previous: &[Step]) -> DomainResult<()> {
    for (i, s) in steps.iter().enumerate() {
        let Some(site_id) = s.internship_site_id else { continue };
        if previous.iter().any(|p| p.internship_site_id == Some(site_id)) {
            continue;
        }
        let site = d.offerings.get(OfferingKind::InternshipSite, site_id).await?;
        let Some(capacity) = site.capacity else { continue };
        let mine = steps.iter().filter(|x| x.internship_site_id == Some(site_id)).count();
        let taken = d.routes.placements(site_id, route_id).await?;
        if taken + i64::try_from(mine).unwrap_or(i64::MAX) > i64::from(capacity) {
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
/// need evidence excepted). A completed route keeps the statuses it was completed with.
pub(super) async fn resolve(d: Deps<'_>, r: &mut Route) -> DomainResult<()> {
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
