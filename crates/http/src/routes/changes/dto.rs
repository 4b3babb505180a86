use chrono::{DateTime, Utc};
use rsnms_domain::exchange::feed::Presented;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Where to read the feed from.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChangeQueryParams {
    /// Read after this cursor (`next_cursor` of the previous page); absent or `0` reads from the
    /// beginning.
    pub after: Option<String>,
    /// Comma-separated resource types, e.g. `organization,person` (default all).
    pub types: Option<String>,
    /// Events per page, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u64>,
}

/// One change (событие изменения).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeView {
    /// The cursor just after this event.
    pub cursor: String,
    /// Event id: the same event is never published under two ids (de-duplication key).
    pub event_id: Uuid,
    /// `<resource_type>.<created|updated|deleted>`.
    pub event_type: String,
    /// Resource type, e.g. `organization`, `person`.
    pub resource_type: String,
    /// Resource id.
    pub resource_id: Uuid,
    /// `created`, `updated` or `deleted`.
    pub action: String,
    /// When the change was made (UTC).
    pub occurred_at: DateTime<Utc>,
    /// The resource's state after the change (`null` after a delete, or when hidden).
    pub payload: serde_json::Value,
    /// Whether the payload was withheld because it holds personal data the caller may not see.
    pub payload_hidden: bool,
}

impl ChangeView {
    /// The view of an event as its reader receives it.
    pub fn new(p: Presented) -> Self {
        let e = p.event;
        let action = e.event_type.rsplit_once('.').map(|(_, a)| a.to_owned()).unwrap_or_default();
        Self {
            cursor: e.position.to_string(),
            event_id: e.event_id,
            event_type: e.event_type,
            resource_type: e.resource_type,
            resource_id: e.resource_id,
            action,
            occurred_at: e.occurred_at,
            payload: e.payload,
            payload_hidden: p.payload_hidden,
        }
    }
}

/// A page of the change feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeList {
    /// Events in commit order.
    pub items: Vec<ChangeView>,
    /// Cursor to read on from (the same cursor when nothing new was published): poll with it.
    pub next_cursor: String,
    /// Whether more events are already available after `next_cursor`.
    pub has_more: bool,
}
