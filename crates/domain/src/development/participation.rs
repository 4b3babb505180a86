//! Event participation (участие в мероприятии, issue 17): per event and person one registration
//! with its status. A registration that holds a place (registered or attended) counts against
//! the event's `capacity`; attendance is marked by those who manage the event, once it is held.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::events::{Offering, OfferingKind, OfferingRepository, writers};
use crate::{
    DomainError, DomainResult, Msg,
    auth::{Ctx, Role, Scope},
    clock::today_at,
    organizations::OrganizationRepository,
    page::{Page, PageRequest},
    persons::PersonRepository,
};

wire_enum! {
    /// State of a registration.
    ParticipationStatus {
        /// Зарегистрирован(а): holds a place.
        Registered = "registered",
        /// Присутствовал(а): holds a place; the step of a route it is linked to is done.
        Attended = "attended",
        /// Отсутствовал(а).
        Absent = "absent",
        /// Регистрация отменена: frees the place.
        Cancelled = "cancelled",
    }
}

impl ParticipationStatus {
    /// Whether a registration in this state holds one of the event's places.
    pub fn holds_place(self) -> bool {
        matches!(self, Self::Registered | Self::Attended)
    }

    /// The states a registration may move to from this one.
    pub fn next(self) -> &'static [ParticipationStatus] {
        use ParticipationStatus::*;
        match self {
            Registered => &[Attended, Absent, Cancelled],
            Attended => &[Absent],
            Absent => &[Attended],
            Cancelled => &[Registered],
        }
    }

    /// [`Self::next`] as wire names, for a 409's `allowed`.
    pub fn allowed(self) -> Vec<String> {
        self.next().iter().map(|s| s.as_str().to_owned()).collect()
    }
}

/// A person's registration for an event.
#[derive(Debug, Clone, PartialEq)]
pub struct Participation {
    /// Id.
    pub id: Uuid,
    /// The event.
    pub event_id: Uuid,
    /// The participant.
    pub person_id: Uuid,
    /// State.
    pub status: ParticipationStatus,
    /// Registered at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version.
    pub version: i64,
}

/// Filters of an event's participant list.
#[derive(Debug, Clone, Default)]
pub struct ParticipationFilter {
    /// State.
    pub status: Option<ParticipationStatus>,
    /// Participant.
    pub person_id: Option<Uuid>,
}

/// Storage of registrations. Visible in a scope: those of the persons visible in it, and, except
/// for a person's scope, every registration for an event whose organiser is visible in it.
#[async_trait]
pub trait ParticipationRepository: Send + Sync {
    /// Reads a registration for the event visible in the scope.
    async fn get(&self, scope: &Scope, event_id: Uuid, id: Uuid) -> DomainResult<Participation>;
    /// Lists the event's registrations visible in the scope.
    async fn list(
        &self,
        scope: &Scope,
        event_id: Uuid,
        filter: &ParticipationFilter,
        page: PageRequest,
    ) -> DomainResult<Page<Participation>>;
    /// Registers the person, in one transaction that serialises the event's registrations:
    /// 409 when the person is registered already or the event is full.
    async fn register(&self, ctx: &Ctx, event_id: Uuid, person_id: Uuid) -> DomainResult<Participation>;
    /// Moves a registration to a state when the version matches, re-checking the capacity when
    /// the new state takes a place.
    async fn set_status(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        status: ParticipationStatus,
    ) -> DomainResult<Participation>;
    /// Every registration of a person (for linked route steps and monitoring).
    async fn of_person(&self, person_id: Uuid) -> DomainResult<Vec<Participation>>;
}

/// Roles that register persons (the persons visible in their scope: a teacher herself, a tutor
/// her learners, an organisation its staff …).
pub const REGISTRARS: &[Role] =
    &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization, Role::Tutor, Role::Teacher];
/// Roles that read registrations (within their scope).
pub const READERS: &[Role] =
    &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization, Role::Tutor, Role::Teacher, Role::Integration];

/// The repositories the participation actions read.
#[derive(Clone, Copy)]
pub struct ParticipationDeps<'a> {
    /// Registrations.
    pub participations: &'a dyn ParticipationRepository,
    /// Events.
    pub offerings: &'a dyn OfferingRepository,
    /// Persons.
    pub persons: &'a dyn PersonRepository,
    /// Organisations.
    pub organizations: &'a dyn OrganizationRepository,
}

/// Whether the actor manages the event as its writers do: administrators and operators, a
/// municipality for events whose organiser lies in its scope.
async fn manages(d: ParticipationDeps<'_>, ctx: &Ctx, event: &Offering) -> DomainResult<bool> {
    if !writers(OfferingKind::Event).contains(&ctx.actor.role) {
        return Ok(false);
    }
    if ctx.actor.role != Role::Municipal {
        return Ok(true);
    }
    match d.organizations.get(&ctx.actor.scope(), event.organization_id).await {
        Ok(_) => Ok(true),
        Err(DomainError::NotFound) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Whether the event is still ahead: today, in the organiser's time zone, is before its date.
async fn is_ahead(d: ParticipationDeps<'_>, event: &Offering) -> DomainResult<bool> {
    let organiser = d.organizations.get(&Scope::All, event.organization_id).await?;
    let today: NaiveDate = today_at(&organiser.time_zone);
    Ok(today < event.starts_on)
}

/// Registers a person for an event: the person must be visible to the caller; a person has one
/// registration per event; a full event answers 409 naming `capacity`.
pub async fn register_participant(
    d: ParticipationDeps<'_>,
    ctx: &Ctx,
    event_id: Uuid,
    person_id: Uuid,
) -> DomainResult<Participation> {
    ctx.actor.require(REGISTRARS)?;
    d.offerings.get(OfferingKind::Event, event_id).await?;
    match d.persons.get(&ctx.actor.scope(), person_id).await {
        Ok(_) => {}
        Err(DomainError::NotFound) => {
            return Err(DomainError::field(
                "person_id",
                "not_found",
                Msg::new("Педагог не найден", "The person does not exist or is out of your scope"),
            ));
        }
        Err(other) => return Err(other),
    }
    d.participations.register(ctx, event_id, person_id).await
}

/// Reads a registration.
pub async fn get_participant(
    d: ParticipationDeps<'_>,
    ctx: &Ctx,
    event_id: Uuid,
    id: Uuid,
) -> DomainResult<Participation> {
    ctx.actor.require(READERS)?;
    d.participations.get(&ctx.actor.scope(), event_id, id).await
}

/// Lists an event's registrations visible to the caller.
pub async fn list_participants(
    d: ParticipationDeps<'_>,
    ctx: &Ctx,
    event_id: Uuid,
    filter: &ParticipationFilter,
    page: PageRequest,
) -> DomainResult<Page<Participation>> {
    ctx.actor.require(READERS)?;
    d.offerings.get(OfferingKind::Event, event_id).await?;
    d.participations.list(&ctx.actor.scope(), event_id, filter, page).await
}

/// Moves a registration to a state. Attendance (`attended`, `absent`) is marked by those who
/// manage the event and only from the day it is held; cancelling and re-registering by them or
/// by whoever sees the person. A move not allowed from the current state is a 409 with `allowed`.
pub async fn update_participant(
    d: ParticipationDeps<'_>,
    ctx: &Ctx,
    event_id: Uuid,
    id: Uuid,
    expected_version: i64,
    status: ParticipationStatus,
) -> DomainResult<Participation> {
    ctx.actor.require(REGISTRARS)?;
    let current = d.participations.get(&ctx.actor.scope(), event_id, id).await?;
    let event = d.offerings.get(OfferingKind::Event, event_id).await?;
    let manager = manages(d, ctx, &event).await?;
    let attendance = matches!(status, ParticipationStatus::Attended | ParticipationStatus::Absent);
    if attendance && !manager {
        return Err(DomainError::Forbidden(Msg::new(
            "Посещаемость отмечает организатор мероприятия",
            "Attendance is marked by those who manage the event",
        )));
    }
    if !manager && d.persons.get(&ctx.actor.scope(), current.person_id).await.is_err() {
        return Err(DomainError::NotFound);
    }
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    if !current.status.next().contains(&status) {
        return Err(DomainError::Conflict {
            field: Some("status".into()),
            message: Msg::new(
                format!("Из состояния «{}» нельзя перейти в «{}»", current.status.as_str(), status.as_str()),
                format!("A registration cannot move from '{}' to '{}'", current.status.as_str(), status.as_str()),
            ),
            allowed: current.status.allowed(),
        });
    }
    if attendance && is_ahead(d, &event).await? {
        return Err(DomainError::Conflict {
            field: Some("status".into()),
            message: Msg::new(
                format!("Мероприятие пройдёт {}: посещаемость отмечается с этого дня", event.starts_on),
                format!("The event is held on {}: attendance is marked from that day", event.starts_on),
            ),
            allowed: current
                .status
                .next()
                .iter()
                .filter(|s| !matches!(s, ParticipationStatus::Attended | ParticipationStatus::Absent))
                .map(|s| s.as_str().to_owned())
                .collect(),
        });
    }
    d.participations.set_status(ctx, id, expected_version, status).await
}

#[cfg(test)]
mod tests {
    use super::ParticipationStatus::*;

    #[test]
    fn only_registered_and_attended_hold_a_place() {
        assert!(Registered.holds_place() && Attended.holds_place());
        assert!(!Absent.holds_place() && !Cancelled.holds_place());
    }

    #[test]
    fn a_cancelled_registration_may_only_be_renewed() {
        assert_eq!(Cancelled.allowed(), vec!["registered"]);
        assert!(!Attended.next().contains(&Cancelled));
    }
}
