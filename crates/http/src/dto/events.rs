use crate::dto::limit;
use chrono::{DateTime, NaiveDate, Utc};
use rsnms_domain::development::events;
use rsnms_domain::development::events::{EventKind, EventLevel, Offering, OfferingInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// A methodological event as a client writes it (create; merge-patched for updates).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EventWrite {
    /// Title (наименование мероприятия).
    #[validate(required, length(min = 1, max = limit(events::TITLE_MAX)))]
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 1000,
        example = "Региональный семинар по формирующему оцениванию"
    )]
    pub title: Option<String>,
    /// Kind.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub kind: Option<EventKind>,
    /// Level (regional events count for the agreement indicator).
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub level: Option<EventLevel>,
    /// Date held (дата проведения).
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub held_on: Option<NaiveDate>,
    /// Organiser.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub organizer_id: Option<Uuid>,
    /// Competencies it develops.
    #[serde(default)]
    #[validate(length(max = limit(events::COMPETENCIES_MAX)))]
    #[schema(max_items = 100)]
    pub competency_ids: Vec<Uuid>,
    /// Number of participants (количество участников).
    #[validate(range(min = 0, max = 1_000_000))]
    #[schema(minimum = 0)]
    pub participants: Option<i32>,
    /// Places for registrations (количество мест); no limit when absent.
    #[validate(range(min = 1, max = 1_000_000))]
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub capacity: Option<i32>,
}

impl crate::extract::ValueChecks for EventWrite {}

impl From<EventWrite> for OfferingInput {
    fn from(w: EventWrite) -> Self {
        OfferingInput {
            title: w.title,
            kind: w.kind,
            level: w.level,
            starts_on: w.held_on,
            organization_id: w.organizer_id,
            competency_ids: w.competency_ids,
            participants: w.participants,
            capacity: w.capacity,
            ..Default::default()
        }
    }
}

impl From<OfferingInput> for EventWrite {
    fn from(i: OfferingInput) -> Self {
        EventWrite {
            title: i.title,
            kind: i.kind,
            level: i.level,
            held_on: i.starts_on,
            organizer_id: i.organization_id,
            competency_ids: i.competency_ids,
            participants: i.participants,
            capacity: i.capacity,
        }
    }
}

/// A methodological event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: Option<EventKind>,
    /// Level.
    pub level: Option<EventLevel>,
    /// Date held.
    pub held_on: NaiveDate,
    /// Organiser.
    pub organizer_id: Uuid,
    /// Competencies it develops.
    pub competency_ids: Vec<Uuid>,
    /// Number of participants.
    pub participants: Option<i32>,
    /// Places for registrations; no limit when absent.
    pub capacity: Option<i32>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version; the `ETag`.
    pub version: i64,
}

impl From<Offering> for EventView {
    fn from(o: Offering) -> Self {
        Self {
            id: o.id,
            title: o.title,
            kind: o.kind,
            level: o.level,
            held_on: o.starts_on,
            organizer_id: o.organization_id,
            competency_ids: o.competency_ids,
            participants: o.participants,
            capacity: o.capacity,
            created_at: o.created_at,
            updated_at: o.updated_at,
            version: o.version,
        }
    }
}

crate::list_schema!(EventList, EventView, "A page of events.");
