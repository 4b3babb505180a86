//! The one place where a change is journaled: its audit record and its outbox event, written
//! inside the transaction of the change itself.

use chrono::Utc;
use rsnms_domain::{
    DomainResult,
    auth::Ctx,
    changes::{Change, ChangeKind},
    idempotency::KeyHold,
};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseBackend};
use uuid::Uuid;

use crate::{
    bulk,
    entities::{audit_log, outbox},
    error::db_err,
    repositories::idempotency,
};

/// Writes the audit record and the outbox event of a change.
pub async fn record<C: ConnectionTrait>(conn: &C, ctx: Option<&Ctx>, change: Change) -> DomainResult<()> {
    record_many(conn, ctx, vec![change]).await
}

/// Writes the audit records and outbox events of many changes of one actor (a bulk import's
/// batch) with multi-row inserts; the events keep the order of `changes`.
///
/// A run holding an `Idempotency-Key` also marks the key committed here, in the same transaction
/// (and fails, rolling the change back, when it no longer holds the key).
pub async fn record_many<C: ConnectionTrait>(conn: &C, ctx: Option<&Ctx>, changes: Vec<Change>) -> DomainResult<()> {
    Entries::of(conn.get_database_backend(), ctx, changes)?.write(conn).await
}

/// The audit records and outbox events of many changes, built and not yet written: a bulk write
/// builds them while the database executes its earlier statements.
#[derive(Debug)]
pub struct Entries {
    audits: bulk::Insert,
    events: bulk::Insert,
    /// The idempotency key the run holds, with the first change.
    fence: Option<(KeyHold, &'static str, Uuid)>,
}

impl Entries {
    /// Builds the entries of changes of one actor; the events keep the order of `changes`.
    pub fn of(backend: DatabaseBackend, ctx: Option<&Ctx>, changes: Vec<Change>) -> DomainResult<Self> {
        let fence = match (ctx.and_then(|c| c.idempotency.as_ref()), changes.first()) {
            (Some(hold), Some(first)) => Some((hold.clone(), first.resource_type, first.resource_id)),
            _ => None,
        };
        let (audits, events) = rows(ctx, changes);
        Ok(Self {
            fence,
            audits: bulk::Insert::of::<audit_log::Entity>(backend, audits)?,
            events: bulk::Insert::of::<outbox::Entity>(backend, events)?,
        })
    }

    /// Writes them (and fences the run's idempotency key, see [`idempotency::fence`]).
    pub async fn write<C: ConnectionTrait>(self, conn: &C) -> DomainResult<()> {
        if let Some((hold, resource_type, resource_id)) = &self.fence {
            idempotency::fence(conn, hold, resource_type, *resource_id).await?;
        }
        self.audits.run(conn, db_err).await?;
        self.events.run(conn, db_err).await
    }
}

/// The audit and outbox rows of changes.
fn rows(ctx: Option<&Ctx>, changes: Vec<Change>) -> (Vec<audit_log::ActiveModel>, Vec<outbox::ActiveModel>) {
    let now = Utc::now();
    let (subject, role, request_id) = match ctx {
        Some(c) => (c.actor.subject.clone(), c.actor.role.as_str().to_owned(), c.request_id.clone()),
        None => ("system".to_owned(), "system".to_owned(), "-".to_owned()),
    };
    let mut audits = Vec::with_capacity(changes.len());
    let mut events = Vec::with_capacity(changes.len());
    for change in changes {
        audits.push(audit_log::ActiveModel {
            id: Set(Uuid::now_v7()),
            at: Set(now),
            actor_subject: Set(subject.clone()),
            actor_role: Set(role.clone()),
            action: Set(change.action.to_owned()),
            resource_type: Set(change.resource_type.to_owned()),
            resource_id: Set(Some(change.resource_id)),
            request_id: Set(request_id.clone()),
            details: Set(serde_json::json!({})),
        });
        let event_type = format!(
            "{}.{}",
            change.resource_type,
            match change.kind {
                ChangeKind::Created => "created",
                ChangeKind::Updated => "updated",
                ChangeKind::Deleted => "deleted",
            }
        );
        let counterpart = change.scope.counterpart.unwrap_or_default();
        events.push(outbox::ActiveModel {
            seq: sea_orm::ActiveValue::NotSet,
            event_id: Set(Uuid::now_v7()),
            event_type: Set(event_type),
            resource_type: Set(change.resource_type.to_owned()),
            resource_id: Set(change.resource_id),
            occurred_at: Set(now),
            payload: Set(change.payload),
            personal_data: Set(change.personal_data),
            region_code: Set(change.scope.region_code),
            municipality_code: Set(change.scope.municipality_code),
            organization_id: Set(change.scope.organization_id),
            person_id: Set(change.scope.person_id),
            counterpart_region_code: Set(counterpart.region_code),
            counterpart_municipality_code: Set(counterpart.municipality_code),
            counterpart_organization_id: Set(counterpart.organization_id),
            counterpart_person_id: Set(counterpart.person_id),
            request_id: Set(request_id.clone()),
        });
    }
    (audits, events)
}
