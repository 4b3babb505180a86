//! Idempotency keys on sea-orm: the primary key (subject, key) makes the first claim win on
//! every engine and across server instances.

use async_trait::async_trait;
use chrono::{Duration, Utc};
use rsnms_domain::{
    DomainError, DomainResult,
    idempotency::{Claim, IdempotencyStore, StoredResponse},
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use crate::{
    Database,
    entities::idempotency_keys::{ActiveModel, Column, Entity},
    error::db_err,
};

/// Idempotency key store.
#[derive(Debug, Clone)]
pub struct IdempotencyKeys {
    pub(crate) db: Database,
}

#[async_trait]
impl IdempotencyStore for IdempotencyKeys {
    async fn claim(&self, subject: &str, key: &str, fingerprint: &str) -> DomainResult<Claim> {
        let am = ActiveModel {
            subject: Set(subject.to_owned()),
            idem_key: Set(key.to_owned()),
            fingerprint: Set(fingerprint.to_owned()),
            status: Set(None),
            headers: Set(None),
            body: Set(None),
            created_at: Set(Utc::now()),
        };
        let inserted =
            Entity::insert(am).on_conflict_do_nothing().exec_without_returning(self.db.conn()).await.map_err(db_err)?;
        if matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
            return Ok(Claim::Acquired);
        }
        let row = Entity::find_by_id((subject.to_owned(), key.to_owned()))
            .one(self.db.conn())
            .await
            .map_err(db_err)?
            // Purged between the insert and the read: a retry will acquire it.
            .ok_or(DomainError::Unavailable("idempotency key vanished".into()))?;
        if row.fingerprint != fingerprint {
            return Ok(Claim::Mismatch);
        }
        match (row.status, row.body) {
            (Some(status), Some(body)) => {
                let headers: Vec<(String, String)> =
                    row.headers.and_then(|h| serde_json::from_value(h).ok()).unwrap_or_default();
                Ok(Claim::Replay(StoredResponse { status: u16::try_from(status).unwrap_or(200), headers, body }))
            }
            _ => Ok(Claim::InProgress),
        }
    }

    async fn complete(&self, subject: &str, key: &str, response: &StoredResponse) -> DomainResult<()> {
        Entity::update_many()
            .col_expr(Column::Status, i32::from(response.status).into())
            .col_expr(Column::Headers, serde_json::to_value(&response.headers).unwrap_or_default().into())
            .col_expr(Column::Body, response.body.clone().into())
            .filter(Column::Subject.eq(subject))
            .filter(Column::IdemKey.eq(key))
            .exec(self.db.conn())
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn release(&self, subject: &str, key: &str) -> DomainResult<()> {
        Entity::delete_many()
            .filter(Column::Subject.eq(subject))
            .filter(Column::IdemKey.eq(key))
            .exec(self.db.conn())
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn purge_older_than_hours(&self, hours: i64) -> DomainResult<u64> {
        let cutoff = Utc::now() - Duration::hours(hours);
        let res =
            Entity::delete_many().filter(Column::CreatedAt.lt(cutoff)).exec(self.db.conn()).await.map_err(db_err)?;
        Ok(res.rows_affected)
    }
}
