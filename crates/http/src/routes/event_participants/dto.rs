use chrono::{DateTime, Utc};
use rsnms_domain::development::participation::{Participation, ParticipationStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// A registration for an event as a client asks for it (регистрация участника).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ParticipantWrite {
    /// The person to register, visible to the caller (a teacher registers herself).
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub person_id: Option<Uuid>,
}

impl crate::extract::ValueChecks for ParticipantWrite {}

/// A change of a registration's state: attendance (`attended`, `absent`, by the event's
/// organisers once it is held), cancelling, or renewing a cancelled registration.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ParticipantStatusWrite {
    /// The new state.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub status: Option<ParticipationStatus>,
}

impl crate::extract::ValueChecks for ParticipantStatusWrite {}

/// A person's registration for an event (участие в мероприятии).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipantView {
    /// Id of the registration.
    pub id: Uuid,
    /// The event.
    pub event_id: Uuid,
    /// The participant.
    pub person_id: Uuid,
    /// State: `registered` and `attended` hold one of the event's places.
    pub status: ParticipationStatus,
    /// States it may move to.
    pub allowed_statuses: Vec<ParticipationStatus>,
    /// Registered at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version; the `ETag`.
    pub version: i64,
}

impl From<Participation> for ParticipantView {
    fn from(p: Participation) -> Self {
        Self {
            id: p.id,
            event_id: p.event_id,
            person_id: p.person_id,
            status: p.status,
            allowed_statuses: p.status.next().to_vec(),
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
        }
    }
}

crate::list_schema!(ParticipantList, ParticipantView, "A page of an event's registrations.");
