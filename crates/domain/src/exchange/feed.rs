//! The change feed: every create, update and delete from the outbox, in publication order
//! (assigned after commit, so it is commit order), filtered by the reader's scope.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    DomainResult,
    audit::AuditRepository,
    auth::{Actor, Ctx, Scope},
    changes::{hide_personal_data, may_read_personal_data, read_rule, readable_types},
    personal_data::{PersonalDataRepository, ReadBases},
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
    /// The resource types the reader's role reads: `(in its scope, all rows)`; `None` reads
    /// every type in the scope (set from [`readable_types`] by [`read_changes`] and the
    /// webhook fan-out).
    pub readable: Option<(Vec<&'static str>, Vec<&'static str>)>,
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

/// An event as one reader receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Presented {
    /// The event, its payload as the reader may see it.
    pub event: ChangeEvent,
    /// Whether the payload was withheld whole (it is personal data the reader may not see).
    pub payload_hidden: bool,
    /// Whether the reader receives personal data with it (an audited read).
    pub personal_data_read: bool,
}

/// An event as a reader receives it, by the read rule of its resource type ([`read_rule`]):
/// `None` when the reader's role does not read that type; personal data only to those who may
/// read that person's personal data — hidden field by field as the resource's GET hides it, or
/// the whole payload withheld when all of it is personal.
pub fn present(actor: &Actor, reads: &ReadBases, mut e: ChangeEvent) -> Option<Presented> {
    if !read_rule(&e.resource_type).readers.contains(&actor.role) {
        return None;
    }
    let out = |event, payload_hidden, personal_data_read| Presented { event, payload_hidden, personal_data_read };
    if !e.personal_data || e.payload.is_null() {
        return Some(out(e, false, false));
    }
    if may_read_personal_data(actor, reads, &e.resource_type, e.person_id, &e.payload) {
        return Some(out(e, false, true));
    }
    if hide_personal_data(&e.resource_type, &mut e.payload) {
        return Some(out(e, false, false));
    }
    e.payload = serde_json::Value::Null;
    Some(out(e, true, false))
}

/// Records the reads of personal data that presented events carry, one audit record per
/// resource, like the resources' own reads.
pub async fn audit_reads(audit: &dyn AuditRepository, ctx: &Ctx, shown: &[Presented]) -> DomainResult<()> {
    let mut by_type: std::collections::BTreeMap<&str, Vec<Uuid>> = std::collections::BTreeMap::new();
    for p in shown.iter().filter(|p| p.personal_data_read) {
        by_type.entry(p.event.resource_type.as_str()).or_default().push(p.event.resource_id);
    }
    for (resource_type, ids) in by_type {
        audit.record_reads(ctx, resource_type, &ids).await?;
    }
    Ok(())
}

/// The repositories reading the feed uses (the `Deps` style, docs/API-DESIGN.md).
#[derive(Clone, Copy)]
pub struct Deps<'a> {
    /// The change feed.
    pub feed: &'a dyn ChangeFeed,
    /// Bases of processing (who may read whose personal data).
    pub bases: &'a dyn PersonalDataRepository,
    /// Audit trail (reads of personal data).
    pub audit: &'a dyn AuditRepository,
}

/// Reads a page of the feed for a caller: publishes what has committed, reads the resource types
/// its role reads in its scope (one event more than `query.limit`, to tell whether more is
/// available), presents each event ([`present`]) and audits the personal data of the page shown.
/// Returns the page and whether more is available.
pub async fn read_changes(deps: Deps<'_>, ctx: &Ctx, query: &ChangeQuery) -> DomainResult<(Vec<Presented>, bool)> {
    let Deps { feed, bases, audit } = deps;
    feed.publish().await?;
    let query = ChangeQuery { readable: readable_types(ctx.actor.role), limit: query.limit + 1, ..query.clone() };
    let mut events = feed.read(&ctx.actor.scope(), &query).await?;
    let more = events.len() as u64 >= query.limit;
    events.truncate(usize::try_from(query.limit - 1).unwrap_or(usize::MAX));
    let persons: Vec<Uuid> =
        events.iter().filter_map(|e| e.person_id).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let reads = ReadBases::load(bases, &ctx.actor, &persons).await?;
    let shown: Vec<Presented> = events.into_iter().filter_map(|e| present(&ctx.actor, &reads, e)).collect();
    audit_reads(audit, ctx, &shown).await?;
    Ok((shown, more))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn event(personal: bool, person: Option<Uuid>) -> ChangeEvent {
        ChangeEvent {
            position: 1,
            event_id: Uuid::nil(),
            event_type: "person.updated".into(),
            resource_type: "person".into(),
            resource_id: Uuid::nil(),
            occurred_at: Utc::now(),
            payload: serde_json::json!({"snils": "123-456-789 01", "email": "a@b.c"}),
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

    fn present_(actor: &Actor, e: ChangeEvent) -> Option<Presented> {
        present(actor, &ReadBases::of(actor, Vec::new()), e)
    }

    #[test]
    fn analysts_receive_no_person_events_and_other_teachers_no_personal_data() {
        let p = Uuid::now_v7();
        let e = event(true, Some(p));
        assert!(present_(&actor(Role::Analyst, None), e.clone()).is_none());
        let other = present_(&actor(Role::Teacher, Some(Uuid::now_v7())), e.clone()).unwrap();
        assert!(!other.personal_data_read);
        assert_eq!(other.event.payload["snils"], "***-***-*** 01");
        let own = present_(&actor(Role::Teacher, Some(p)), e.clone()).unwrap();
        assert!(own.personal_data_read);
        assert_eq!(own.event.payload["snils"], "123-456-789 01");
        assert!(present_(&actor(Role::Operator, None), e).unwrap().personal_data_read);
    }

    #[test]
    fn a_wholly_personal_payload_is_withheld_from_readers_without_the_right() {
        let mut e = event(true, Some(Uuid::now_v7()));
        e.resource_type = "mentoring_note".into();
        let shown = present_(&actor(Role::Admin, None), e.clone()).unwrap();
        assert!(!shown.payload_hidden && shown.personal_data_read);
        e.person_id = None;
        let shown = present_(&actor(Role::Admin, None), e).unwrap();
        assert!(shown.payload_hidden);
        assert!(shown.event.payload.is_null());
    }

    #[test]
    fn a_diagnostic_result_in_the_readers_scope_is_shown_whole_and_audited_as_its_list_shows_it() {
        let mut e = event(true, Some(Uuid::now_v7()));
        e.resource_type = "diagnostic_result".into();
        let shown = present_(&actor(Role::Tutor, Some(Uuid::now_v7())), e.clone()).unwrap();
        assert!(!shown.payload_hidden && shown.personal_data_read);
        assert!(present_(&actor(Role::Analyst, None), e).is_none());
    }
}
