//! The one place where a change is journaled: its audit record and its outbox event, written
//! inside the transaction of the change itself.

use chrono::Utc;
use rsnms_domain::{
    DomainResult,
    auth::Ctx,
    changes::{Change, ChangeKind},
};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::{
    entities::{audit_log, outbox},
    error::db_err,
};

/// Writes the audit record and the outbox event of a change.
pub async fn record<C: ConnectionTrait>(conn: &C, ctx: Option<&Ctx>, change: Change) -> DomainResult<()> {
    let now = Utc::now();
    let (subject, role, request_id) = match ctx {
        Some(c) => (c.actor.subject.clone(), c.actor.role.as_str().to_owned(), c.request_id.clone()),
        None => ("system".to_owned(), "system".to_owned(), "-".to_owned()),
    };
    audit_log::Entity::insert(audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(now),
        actor_subject: Set(subject),
        actor_role: Set(role),
        action: Set(change.action.to_owned()),
        resource_type: Set(change.resource_type.to_owned()),
        resource_id: Set(Some(change.resource_id)),
        request_id: Set(request_id.clone()),
        details: Set(serde_json::json!({})),
    })
    .exec_without_returning(conn)
    .await
    .map_err(db_err)?;
    let event_type = format!(
        "{}.{}",
        change.resource_type,
        match change.kind {
            ChangeKind::Created => "created",
            ChangeKind::Updated => "updated",
            ChangeKind::Deleted => "deleted",
        }
    );
    outbox::Entity::insert(outbox::ActiveModel {
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
        request_id: Set(request_id),
    })
    .exec_without_returning(conn)
    .await
    .map_err(db_err)?;
    Ok(())
}
