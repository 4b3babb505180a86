//! The change feed on the outbox.
//!
//! Commit order: `seq` is taken when a row is inserted, but a transaction with a lower `seq`
//! can commit after one with a higher `seq` (PostgreSQL), so a reader following `seq` could
//! skip a row for ever. Publication positions (`pub_seq`) are therefore assigned after commit,
//! by a sequencer that runs one at a time (an advisory lock on PostgreSQL, the write lock on
//! SQLite) and numbers only rows it can see, above every position given before. A position
//! becomes visible only with its whole batch, and each batch commits before the next begins,
//! so a reader that saw position `p` never later finds a new row at or below `p`.

use async_trait::async_trait;
use rsnms_domain::{
    DomainResult,
    auth::Scope,
    exchange::{ChangeEvent, ChangeFeed, ChangeQuery},
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    Database,
    entities::outbox_feed::{Column, Entity, Model},
    error::DbResultExt,
    scope,
};

/// Advisory lock key of the sequencer on PostgreSQL.
const SEQUENCER_LOCK: i64 = 0x7273_6e6d_7300_0001;

/// The change feed.
#[derive(Debug, Clone)]
pub struct ChangeStore {
    pub(crate) db: Database,
}

pub(crate) fn to_event(m: Model) -> ChangeEvent {
    ChangeEvent {
        position: m.pub_seq.unwrap_or_default(),
        event_id: m.event_id,
        event_type: m.event_type,
        resource_type: m.resource_type,
        resource_id: m.resource_id,
        occurred_at: m.occurred_at,
        payload: m.payload,
        personal_data: m.personal_data,
        person_id: m.person_id,
    }
}

/// Reads published events in a scope.
pub(crate) async fn read_in<C: ConnectionTrait>(
    conn: &C,
    scope: &Scope,
    q: &ChangeQuery,
) -> DomainResult<Vec<ChangeEvent>> {
    let in_scope = scope::changes(scope);
    // The read rule of each resource type: the types the role reads in its scope, and the
    // catalogues it reads whole.
    let readable = match &q.readable {
        None => in_scope,
        Some((scoped, all)) => Condition::any()
            .add(Condition::all().add(Column::ResourceType.is_in(scoped.iter().copied())).add(in_scope))
            .add(Column::ResourceType.is_in(all.iter().copied())),
    };
    let mut cond = Condition::all().add(readable).add(Column::PubSeq.gt(q.after));
    if let Some(u) = q.until {
        cond = cond.add(Column::PubSeq.lte(u));
    }
    if !q.types.is_empty() {
        cond = cond.add(Column::ResourceType.is_in(q.types.iter().map(String::as_str)));
    }
    let rows = Entity::find().filter(cond).order_by_asc(Column::PubSeq).limit(q.limit).all(conn).await.db()?;
    Ok(rows.into_iter().map(to_event).collect())
}

#[async_trait]
impl ChangeFeed for ChangeStore {
    async fn publish(&self) -> DomainResult<u64> {
        let pending: Option<i64> = Entity::find()
            .select_only()
            .column(Column::Seq)
            .filter(Column::PubSeq.is_null())
            .limit(1)
            .into_tuple()
            .one(&self.db.exec())
            .await
            .db()?;
        if pending.is_none() {
            return Ok(0);
        }
        let txn = self.db.begin_write().await?;
        if txn.get_database_backend() == DatabaseBackend::Postgres {
            txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({SEQUENCER_LOCK})")).await.db()?;
        }
        let max_pub: Option<Option<i64>> = Entity::find()
            .select_only()
            .column_as(Column::PubSeq.max(), "m")
            // Names the published rows so that SQLite, too, reads the partial `pub_seq` index.
            .filter(Column::PubSeq.is_not_null())
            .into_tuple()
            .one(&txn)
            .await
            .db()?;
        let min_seq: Option<Option<i64>> = Entity::find()
            .select_only()
            .column_as(Column::Seq.min(), "m")
            .filter(Column::PubSeq.is_null())
            .into_tuple()
            .one(&txn)
            .await
            .db()?;
        let Some(min_seq) = min_seq.flatten() else {
            txn.commit().await.db()?;
            return Ok(0);
        };
        // The lowest unpublished visible row gets max + 1; later ones keep their seq order.
        let offset = max_pub.flatten().unwrap_or(0) - min_seq + 1;
        let res = Entity::update_many()
            .col_expr(Column::PubSeq, Expr::col(Column::Seq).add(offset))
            .filter(Column::PubSeq.is_null())
            .filter(Column::Seq.gte(min_seq))
            .exec(&txn)
            .await
            .db()?;
        txn.commit().await.db()?;
        Ok(res.rows_affected)
    }

    async fn read(&self, scope: &Scope, query: &ChangeQuery) -> DomainResult<Vec<ChangeEvent>> {
        read_in(&self.db.exec(), scope, query).await
    }
}
