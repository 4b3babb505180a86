//! Idempotency keys on sea-orm: the primary key (subject, key) makes the first claim win on
//! every engine and across server instances; a claim is a lease with a fencing token (`holder`),
//! and [`fence`] marks, inside a change's own transaction, that the holder's run committed.

use std::time::Duration as StdDuration;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use rsnms_domain::{
    DomainError, DomainResult,
    idempotency::{Claim, Committed, IdempotencyStore, KeyHold, StoredResponse},
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    Database,
    entities::idempotency_keys::{ActiveModel, Column, Entity, Model},
    error::DbResultExt,
};

/// Idempotency key store.
#[derive(Debug, Clone)]
pub struct IdempotencyKeys {
    pub(crate) db: Database,
}

/// The row of a key while `hold` holds it.
fn held_by(hold: &KeyHold) -> Condition {
    Condition::all()
        .add(Column::Subject.eq(&hold.subject))
        .add(Column::IdemKey.eq(&hold.key))
        .add(Column::Holder.eq(hold.token))
}

fn lease_end(now: DateTime<Utc>, lease: StdDuration) -> DateTime<Utc> {
    now + Duration::from_std(lease).unwrap_or(Duration::seconds(60))
}

/// What a found row tells a new run of its key.
fn found(row: Model, fingerprint: &str, now: DateTime<Utc>, lease: StdDuration) -> Option<Claim> {
    if row.fingerprint != fingerprint {
        return Some(Claim::Mismatch);
    }
    if let (Some(status), Some(body)) = (row.status, row.body) {
        let headers: Vec<(String, String)> =
            row.headers.and_then(|h| serde_json::from_value(h).ok()).unwrap_or_default();
        return Some(Claim::Replay(StoredResponse {
            status: u16::try_from(status).unwrap_or(200),
            headers,
            body,
            request_sha256: row.request_sha256.unwrap_or_default(),
        }));
    }
    // A row without a lease predates leases: its lease is counted from its creation. While the
    // lease runs the run may still store its response, even after its change committed.
    let until = row.lease_until.unwrap_or_else(|| lease_end(row.created_at, lease));
    if until > now {
        return Some(Claim::InProgress);
    }
    if row.committed_at.is_some() {
        return Some(Claim::Done(Committed { resource_type: row.resource_type, resource_id: row.resource_id }));
    }
    None
}

#[async_trait]
impl IdempotencyStore for IdempotencyKeys {
    async fn claim(&self, subject: &str, key: &str, fingerprint: &str, lease: StdDuration) -> DomainResult<Claim> {
        let now = Utc::now();
        let hold = KeyHold { subject: subject.to_owned(), key: key.to_owned(), token: Uuid::now_v7() };
        let am = ActiveModel {
            subject: Set(subject.to_owned()),
            idem_key: Set(key.to_owned()),
            fingerprint: Set(fingerprint.to_owned()),
            status: Set(None),
            headers: Set(None),
            body: Set(None),
            created_at: Set(now),
            holder: Set(Some(hold.token)),
            lease_until: Set(Some(lease_end(now, lease))),
            committed_at: Set(None),
            resource_type: Set(None),
            resource_id: Set(None),
            request_sha256: Set(None),
        };
        let inserted =
            Entity::insert(am).on_conflict_do_nothing().exec_without_returning(&self.db.exec()).await.db()?;
        if matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
            return Ok(Claim::Acquired(hold));
        }
        let row = Entity::find_by_id((subject.to_owned(), key.to_owned()))
            .one(&self.db.exec())
            .await
            .db()?
            // Purged between the insert and the read: a retry will acquire it.
            .ok_or(DomainError::Unavailable("idempotency key vanished".into()))?;
        let previous = row.holder;
        if let Some(claim) = found(row, fingerprint, now, lease) {
            return Ok(claim);
        }
        // The lease ran out and nothing was committed: take it over — unless another retry or a
        // late commit got there first (the conditions are checked again by the update itself).
        let mut take = Entity::update_many()
            .col_expr(Column::Holder, Expr::value(hold.token))
            .col_expr(Column::LeaseUntil, Expr::value(lease_end(now, lease)))
            .filter(Column::Subject.eq(subject))
            .filter(Column::IdemKey.eq(key))
            .filter(Column::CommittedAt.is_null())
            .filter(Column::Status.is_null());
        take = match previous {
            Some(p) => take.filter(Column::Holder.eq(p)),
            None => take.filter(Column::Holder.is_null()),
        };
        let taken = take.exec(&self.db.exec()).await.db()?.rows_affected;
        Ok(if taken == 1 { Claim::Acquired(hold) } else { Claim::InProgress })
    }

    async fn renew(&self, hold: &KeyHold, lease: StdDuration) -> DomainResult<bool> {
        let res = Entity::update_many()
            .col_expr(Column::LeaseUntil, Expr::value(lease_end(Utc::now(), lease)))
            .filter(held_by(hold))
            .filter(Column::Status.is_null())
            .exec(&self.db.exec())
            .await
            .db()?;
        Ok(res.rows_affected == 1)
    }

    async fn complete(&self, hold: &KeyHold, response: &StoredResponse) -> DomainResult<()> {
        let res = Entity::update_many()
            .col_expr(Column::Status, i32::from(response.status).into())
            .col_expr(Column::Headers, serde_json::to_value(&response.headers).unwrap_or_default().into())
            .col_expr(Column::Body, response.body.clone().into())
            .col_expr(Column::RequestSha256, response.request_sha256.clone().into())
            .filter(held_by(hold))
            .exec(&self.db.exec())
            .await
            .db()?;
        if res.rows_affected == 0 {
            return Err(DomainError::Unavailable("the idempotency key's lease was lost".into()));
        }
        Ok(())
    }

    async fn release(&self, hold: &KeyHold) -> DomainResult<()> {
        Entity::delete_many()
            .filter(held_by(hold))
            .filter(Column::CommittedAt.is_null())
            .exec(&self.db.exec())
            .await
            .db()?;
        Ok(())
    }

    async fn purge_older_than_hours(&self, hours: i64) -> DomainResult<u64> {
        let cutoff = Utc::now() - Duration::hours(hours);
        let res = Entity::delete_many().filter(Column::CreatedAt.lt(cutoff)).exec(&self.db.exec()).await.db()?;
        Ok(res.rows_affected)
    }
}

/// Marks, inside the transaction of a change (`conn`), that the run holding `hold` committed,
/// with the first resource it changed. Fails — so the change rolls back — when the run no longer
/// holds the key (its lease ran out and a retry took it over).
pub async fn fence<C: ConnectionTrait>(
    conn: &C,
    hold: &KeyHold,
    resource_type: &str,
    resource_id: Uuid,
) -> DomainResult<()> {
    let res = Entity::update_many()
        .col_expr(Column::CommittedAt, Expr::col(Column::CommittedAt).if_null(Utc::now()))
        .col_expr(Column::ResourceType, Expr::col(Column::ResourceType).if_null(resource_type))
        .col_expr(Column::ResourceId, Expr::col(Column::ResourceId).if_null(resource_id))
        .filter(held_by(hold))
        .exec(conn)
        .await
        .db()?;
    if res.rows_affected == 0 {
        return Err(DomainError::Unavailable("the idempotency key's lease was lost; the change is not made".into()));
    }
    Ok(())
}
