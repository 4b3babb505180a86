//! The change feed: every create, update and delete from the outbox, in publication order
//! (assigned after commit, so it is commit order), filtered by the reader's scope.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    DomainResult,
    auth::{Ctx, Scope},
};

/// One published event.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeEvent {
    /// Publication position (the cursor after this event).
    pub position: i64,
    /// Event id (for de-duplication).
    pub event_id: Uuid,
    /// `<resource_type>.<created|updated|deleted>`.
    pub event_type: String,
    /// Resource type.
    pub resource_type: String,
    /// Resource id.
    pub resource_id: Uuid,
    /// When the change was made.
    pub occurred_at: DateTime<Utc>,
    /// The state after the change (`null` after a delete).
    pub payload: serde_json::Value,
    /// Whether the payload holds personal data.
    pub personal_data: bool,
    /// The person the resource is about, if any.
    pub person_id: Option<Uuid>,
}

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct ChangeQuery {
    /// Read events after this position (0 = from the beginning).
    pub after: i64,
    /// Only these resource types (empty = all).
    pub types: Vec<String>,
    /// At most this many.
    pub limit: u64,
    /// Only events up to this position (inclusive), if given.
    pub until: Option<i64>,
}

/// Reading the published outbox.
#[async_trait]
pub trait ChangeFeed: Send + Sync {
    /// Assigns publication positions to committed, unpublished events (in their commit order);
    /// returns how many were published.
    async fn publish(&self) -> DomainResult<u64>;
    /// Published events visible in the scope, after a position, in publication order.
    async fn read(&self, scope: &Scope, query: &ChangeQuery) -> DomainResult<Vec<ChangeEvent>>;
}

/// Whether the payload of an event may be shown to an actor: events flagged as personal data
/// only to those who may read the person's personal data.
pub fn payload_visible(actor: &crate::auth::Actor, e: &ChangeEvent) -> bool {
    !e.personal_data || e.person_id.is_some_and(|p| actor.may_read_personal_data_of(p))
}

/// Reads the feed for a caller: publishes what has committed, reads in the caller's scope and
/// hides payloads holding personal data the caller may not see. Returns the events and whether
/// each payload is shown.
pub async fn read_changes(
    feed: &dyn ChangeFeed,
    ctx: &Ctx,
    query: &ChangeQuery,
) -> DomainResult<Vec<(ChangeEvent, bool)>> {
    feed.publish().await?;
    let events = feed.read(&ctx.actor.scope(), query).await?;
    Ok(events
        .into_iter()
        .map(|e| {
            let shown = payload_visible(&ctx.actor, &e);
            (e, shown)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Actor, Role};

    fn event(personal: bool, person: Option<Uuid>) -> ChangeEvent {
        ChangeEvent {
            position: 1,
            event_id: Uuid::nil(),
            event_type: "person.updated".into(),
            resource_type: "person".into(),
            resource_id: Uuid::nil(),
            occurred_at: Utc::now(),
            payload: serde_json::json!({"snils": "x"}),
            personal_data: personal,
            person_id: person,
        }
    }

    fn actor(role: Role, person: Option<Uuid>) -> Actor {
        Actor {
            subject: "s".into(),
            role,
            organization_id: None,
            region_code: None,
            municipality_code: None,
            person_id: person,
        }
    }

    #[test]
    fn personal_payloads_are_hidden_from_analysts_and_other_teachers() {
        let p = Uuid::now_v7();
        let e = event(true, Some(p));
        assert!(!payload_visible(&actor(Role::Analyst, None), &e));
        assert!(!payload_visible(&actor(Role::Teacher, Some(Uuid::now_v7())), &e));
        assert!(payload_visible(&actor(Role::Teacher, Some(p)), &e));
        assert!(payload_visible(&actor(Role::Operator, None), &e));
        assert!(payload_visible(&actor(Role::Analyst, None), &event(false, Some(p))));
    }
}
