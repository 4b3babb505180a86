//! Webhook subscriptions and deliveries on sea-orm.
//!
//! Fan-out turns published events into deliveries once (a cursor row moved in the same
//! transaction, a unique `(subscription_id, event_id)`); workers lease due deliveries with one
//! `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)` on PostgreSQL, the same single
//! atomic statement on SQLite (whose writers are serialised), so that no two workers — on any
//! instance — send the same delivery at once.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{Duration, Utc};
use rsnms_domain::{
    DomainError, DomainResult,
    auth::{Actor, Ctx, Role},
    changes::{Change, ChangeKind, ChangeScope, readable_types},
    exchange::{
        ChangeQuery,
        feed::present,
        webhooks::{Attempt, Delivery, DeliveryStatus, LeasedDelivery, Subscription, WebhookRepository},
    },
    page::{Page, PageRequest},
    personal_data::ReadBases,
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, LockBehavior, LockType, OnConflict, Query},
};
use uuid::Uuid;

use super::{audit::record_reads_in, changes::read_in, personal_data::bases_in};
use crate::{
    Database,
    entities::{exchange_cursors, outbox_feed, webhook_deliveries as d, webhook_subscriptions as s},
    error::DbResultExt,
    journal, versioned,
};

/// Advisory lock key of the fan-out on PostgreSQL.
const FAN_OUT_LOCK: i64 = 0x7273_6e6d_7300_0002;
/// Name of the fan-out cursor.
const CURSOR: &str = "webhooks";

/// Webhooks repository.
#[derive(Debug, Clone)]
pub struct WebhookStore {
    pub(crate) db: Database,
}

fn subscription(m: s::Model) -> DomainResult<Subscription> {
    Ok(Subscription {
        owner: serde_json::from_value(m.owner)
            .map_err(|_| DomainError::internal(format!("webhook {} has an unreadable owner", m.id)))?,
        event_types: serde_json::from_value(m.event_types).unwrap_or_default(),
        id: m.id,
        url: m.url,
        secret: m.secret,
        active: m.active,
        disabled_reason: m.disabled_reason,
        consecutive_failures: m.consecutive_failures,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    })
}

fn delivery(m: d::Model) -> Delivery {
    Delivery {
        id: m.id,
        subscription_id: m.subscription_id,
        event_id: m.event_id,
        event_type: m.event_type,
        body: m.body,
        status: DeliveryStatus::parse(&m.status).unwrap_or(DeliveryStatus::Pending),
        attempts: m.attempts,
        next_attempt_at: m.next_attempt_at,
        last_status_code: m.last_status_code,
        last_error: m.last_error,
        created_at: m.created_at,
        delivered_at: m.delivered_at,
    }
}

/// The owning principal: the account acting in a role for an organisation or as a person. A
/// subscription is the principal's, not merely the account's.
pub(crate) fn principal(actor: &Actor) -> String {
    let or_dash = |u: Option<Uuid>| u.map_or_else(|| "-".to_owned(), |u| u.simple().to_string());
    let subject: String = actor.subject.chars().take(160).collect();
    format!("{subject}|{}|{}|{}", actor.role.as_str(), or_dash(actor.organization_id), or_dash(actor.person_id))
}

fn visible(actor: &Actor) -> Condition {
    if actor.role == Role::Admin {
        Condition::all()
    } else {
        Condition::all().add(s::Column::OwnerSubject.eq(principal(actor)))
    }
}

/// The change event of a subscription: never the secret.
fn change(sub: &Subscription, kind: ChangeKind, action: &'static str) -> Change {
    Change {
        resource_type: "webhook",
        resource_id: sub.id,
        kind,
        action,
        payload: if kind == ChangeKind::Deleted {
            serde_json::Value::Null
        } else {
            serde_json::json!({"id": sub.id, "event_types": sub.event_types, "active": sub.active, "version": sub.version})
        },
        personal_data: false,
        scope: ChangeScope {
            region_code: sub.owner.region_code.clone(),
            municipality_code: sub.owner.municipality_code.clone(),
            organization_id: sub.owner.organization_id,
            person_id: None,
            counterpart: None,
        },
    }
}

impl WebhookStore {
    async fn find<C: ConnectionTrait>(&self, conn: &C, actor: &Actor, id: Uuid) -> DomainResult<s::Model> {
        s::Entity::find_by_id(id).filter(visible(actor)).one(conn).await.db()?.ok_or(DomainError::NotFound)
    }
}

#[async_trait]
impl WebhookRepository for WebhookStore {
    async fn create(
        &self,
        ctx: &Ctx,
        url: String,
        event_types: Vec<String>,
        secret: String,
    ) -> DomainResult<Subscription> {
        let now = Utc::now();
        let am = s::ActiveModel {
            id: Set(Uuid::now_v7()),
            owner_subject: Set(principal(&ctx.actor)),
            owner: Set(serde_json::to_value(&ctx.actor).unwrap_or_default()),
            url: Set(url),
            event_types: Set(serde_json::to_value(&event_types).unwrap_or_default()),
            secret: Set(secret),
            active: Set(true),
            disabled_reason: Set(None),
            consecutive_failures: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        };
        let txn = self.db.begin_write().await?;
        let m = s::Entity::insert(am).exec_with_returning(&txn).await.db()?;
        let sub = subscription(m)?;
        journal::record(&txn, Some(ctx), change(&sub, ChangeKind::Created, "create")).await?;
        txn.commit().await.db()?;
        Ok(sub)
    }

    async fn get(&self, actor: &Actor, id: Uuid) -> DomainResult<Subscription> {
        subscription(self.find(&self.db.exec(), actor, id).await?)
    }

    async fn list(&self, actor: &Actor, page: PageRequest) -> DomainResult<Page<Subscription>> {
        let mut cond = visible(actor);
        if let Some(after) = page.after {
            cond = cond.add(s::Column::Id.gt(after));
        }
        let rows = s::Entity::find()
            .filter(cond)
            .order_by_asc(s::Column::Id)
            .limit(page.limit + 1)
            .all(&self.db.exec())
            .await
            .db()?;
        let items = rows.into_iter().map(subscription).collect::<DomainResult<Vec<_>>>()?;
        Ok(Page::from_probe(items, page.limit, |s| s.id))
    }

    async fn delete(&self, ctx: &Ctx, id: Uuid, expected_version: i64) -> DomainResult<()> {
        let txn = self.db.begin_write().await?;
        let current = subscription(self.find(&txn, &ctx.actor, id).await?)?;
        if current.version != expected_version {
            return Err(DomainError::PreconditionFailed);
        }
        d::Entity::delete_many().filter(d::Column::SubscriptionId.eq(id)).exec(&txn).await.db()?;
        versioned::delete::<s::Entity, _>(&txn, s::Column::Id, s::Column::Version, id, expected_version).await?;
        journal::record(&txn, Some(ctx), change(&current, ChangeKind::Deleted, "delete")).await?;
        txn.commit().await.db()?;
        Ok(())
    }

    async fn enable(&self, ctx: &Ctx, id: Uuid, expected_version: i64) -> DomainResult<Subscription> {
        let txn = self.db.begin_write().await?;
        self.find(&txn, &ctx.actor, id).await?;
        let now = Utc::now();
        let m = s::Entity::update_many()
            .col_expr(s::Column::Active, Expr::value(true))
            .col_expr(s::Column::DisabledReason, Expr::value(Option::<String>::None))
            .col_expr(s::Column::ConsecutiveFailures, Expr::value(0))
            .col_expr(s::Column::UpdatedAt, Expr::value(now))
            .col_expr(s::Column::Version, Expr::value(expected_version + 1))
            .filter(s::Column::Id.eq(id))
            .filter(s::Column::Version.eq(expected_version))
            .exec_with_returning(&txn)
            .await
            .db()?
            .into_iter()
            .next()
            .ok_or(DomainError::PreconditionFailed)?;
        // Pending deliveries are retried at once.
        d::Entity::update_many()
            .col_expr(d::Column::NextAttemptAt, Expr::value(now))
            .filter(d::Column::SubscriptionId.eq(id))
            .filter(d::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .exec(&txn)
            .await
            .db()?;
        let sub = subscription(m)?;
        journal::record(&txn, Some(ctx), change(&sub, ChangeKind::Updated, "enable")).await?;
        txn.commit().await.db()?;
        Ok(sub)
    }

    async fn deliveries(&self, actor: &Actor, id: Uuid, page: PageRequest) -> DomainResult<Page<Delivery>> {
        let exec = self.db.exec();
        self.find(&exec, actor, id).await?;
        let mut q = d::Entity::find().filter(d::Column::SubscriptionId.eq(id));
        if let Some(after) = page.after {
            q = q.filter(d::Column::Id.gt(after));
        }
        let rows = q.order_by_asc(d::Column::Id).limit(page.limit + 1).all(&exec).await.db()?;
        Ok(Page::from_probe(rows.into_iter().map(delivery).collect(), page.limit, |d| d.id))
    }

    async fn any_active(&self) -> DomainResult<bool> {
        let found = s::Entity::find().filter(s::Column::Active.eq(true)).one(&self.db.exec()).await.db()?;
        Ok(found.is_some())
    }

    async fn fan_out(&self, batch: u64) -> DomainResult<u64> {
        // Idle rounds stay read-only (no write lock on SQLite): nothing to do without an active
        // subscription or without a position past the cursor. Without subscriptions the cursor
        // stays; a later subscription skips older events by their time anyway.
        let conn = &self.db.exec();
        let any_active = s::Entity::find().filter(s::Column::Active.eq(true)).one(conn).await.db()?.is_some();
        if !any_active {
            return Ok(0);
        }
        let seen =
            exchange_cursors::Entity::find_by_id(CURSOR.to_owned()).one(conn).await.db()?.map_or(0, |c| c.position);
        let newer: Option<Option<i64>> = outbox_feed::Entity::find()
            .select_only()
            .column(outbox_feed::Column::PubSeq)
            .filter(outbox_feed::Column::PubSeq.gt(seen))
            .limit(1)
            .into_tuple()
            .one(conn)
            .await
            .db()?;
        if newer.is_none() {
            return Ok(0);
        }
        let txn = self.db.begin_write().await?;
        if txn.get_database_backend() == DatabaseBackend::Postgres {
            txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({FAN_OUT_LOCK})")).await.db()?;
        }
        let cursor =
            exchange_cursors::Entity::find_by_id(CURSOR.to_owned()).one(&txn).await.db()?.map_or(0, |c| c.position);
        let positions: Vec<Option<i64>> = outbox_feed::Entity::find()
            .select_only()
            .column(outbox_feed::Column::PubSeq)
            .filter(outbox_feed::Column::PubSeq.gt(cursor))
            .order_by_asc(outbox_feed::Column::PubSeq)
            .limit(batch)
            .into_tuple()
            .all(&txn)
            .await
            .db()?;
        let Some(last) = positions.into_iter().flatten().max() else {
            txn.commit().await.db()?;
            return Ok(0);
        };
        let subs = s::Entity::find()
            .filter(s::Column::Active.eq(true))
            .all(&txn)
            .await
            .db()?
            .into_iter()
            .filter_map(|m| subscription(m).ok())
            .collect::<Vec<_>>();
        let now = Utc::now();
        let mut made = 0;
        for sub in &subs {
            let q = ChangeQuery {
                after: cursor,
                until: Some(last),
                types: Vec::new(),
                limit: batch,
                readable: readable_types(sub.owner.role),
            };
            // Deliveries carrying personal data are reads of it by the subscription's owner,
            // audited in this transaction (request id: the subscription).
            let reader = Ctx { actor: sub.owner.clone(), request_id: format!("webhook:{}", sub.id), idempotency: None };
            let mut read: HashMap<String, Vec<Uuid>> = HashMap::new();
            let events = read_in(&txn, &sub.owner.scope(), &q).await?;
            // Whose personal data the owner may receive follows her bases too (the integration
            // role: `federal_exchange`), by the feed's own rule.
            let reads = if ReadBases::needed(&sub.owner) {
                let persons: Vec<Uuid> = events
                    .iter()
                    .filter_map(|e| e.person_id)
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                ReadBases::of(&sub.owner, bases_in(&txn, &persons).await?)
            } else {
                ReadBases::of(&sub.owner, Vec::new())
            };
            for e in events {
                if !sub.wants(&e.event_type) || e.occurred_at < sub.created_at {
                    continue;
                }
                let Some(shown) = present(&sub.owner, &reads, e) else { continue };
                let e = shown.event;
                let id = Uuid::now_v7();
                let body = serde_json::json!({
                    "delivery_id": id,
                    "event_id": e.event_id,
                    "event_type": e.event_type,
                    "resource_type": e.resource_type,
                    "resource_id": e.resource_id,
                    "occurred_at": e.occurred_at,
                    "position": e.position.to_string(),
                    "payload": e.payload,
                    "payload_hidden": shown.payload_hidden,
                });
                let am = d::ActiveModel {
                    id: Set(id),
                    subscription_id: Set(sub.id),
                    event_id: Set(e.event_id),
                    pub_seq: Set(e.position),
                    event_type: Set(e.event_type.clone()),
                    body: Set(body),
                    status: Set(DeliveryStatus::Pending.as_str().to_owned()),
                    attempts: Set(0),
                    next_attempt_at: Set(now),
                    leased_until: Set(None),
                    lease_owner: Set(None),
                    last_status_code: Set(None),
                    last_error: Set(None),
                    created_at: Set(now),
                    delivered_at: Set(None),
                };
                let res = d::Entity::insert(am)
                    .on_conflict_do_nothing_on([d::Column::SubscriptionId, d::Column::EventId])
                    .exec_without_returning(&txn)
                    .await
                    .db()?;
                if matches!(res, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
                    made += 1;
                    if shown.personal_data_read {
                        read.entry(e.resource_type).or_default().push(e.resource_id);
                    }
                }
            }
            for (resource_type, ids) in read {
                record_reads_in(&txn, &reader, &resource_type, &ids).await?;
            }
        }
        exchange_cursors::Entity::insert(exchange_cursors::ActiveModel {
            name: Set(CURSOR.to_owned()),
            position: Set(last),
        })
        .on_conflict(
            OnConflict::column(exchange_cursors::Column::Name)
                .update_column(exchange_cursors::Column::Position)
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .db()?;
        txn.commit().await.db()?;
        Ok(made)
    }

    async fn lease(&self, worker: &str, limit: u64, lease_seconds: i64) -> DomainResult<Vec<LeasedDelivery>> {
        let now = Utc::now();
        let due = Condition::all()
            .add(d::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .add(d::Column::NextAttemptAt.lte(now))
            .add(Condition::any().add(d::Column::LeasedUntil.is_null()).add(d::Column::LeasedUntil.lt(now)));
        // An idle round stays read-only.
        let any: Option<Uuid> = d::Entity::find()
            .select_only()
            .column(d::Column::Id)
            .filter(due)
            .limit(1)
            .into_tuple()
            .one(&self.db.exec())
            .await
            .db()?;
        if any.is_none() {
            return Ok(Vec::new());
        }
        let due = Query::select()
            .column(d::Column::Id)
            .from(d::Entity)
            .and_where(d::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .and_where(d::Column::NextAttemptAt.lte(now))
            .cond_where(Condition::any().add(d::Column::LeasedUntil.is_null()).add(d::Column::LeasedUntil.lt(now)))
            .and_where(d::Column::SubscriptionId.in_subquery(
                Query::select().column(s::Column::Id).from(s::Entity).and_where(s::Column::Active.eq(true)).to_owned(),
            ))
            .order_by(d::Column::NextAttemptAt, sea_orm::Order::Asc)
            .limit(limit)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .to_owned();
        let leased = d::Entity::update_many()
            .col_expr(d::Column::LeasedUntil, Expr::value(now + Duration::seconds(lease_seconds)))
            .col_expr(d::Column::LeaseOwner, Expr::value(worker.to_owned()))
            .filter(d::Column::Id.in_subquery(due))
            .exec_with_returning(&self.db.exec())
            .await
            .db()?;
        if leased.is_empty() {
            return Ok(Vec::new());
        }
        let sub_ids: Vec<Uuid> = leased.iter().map(|m| m.subscription_id).collect();
        let subs: HashMap<Uuid, s::Model> = s::Entity::find()
            .filter(s::Column::Id.is_in(sub_ids))
            .all(&self.db.exec())
            .await
            .db()?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        Ok(leased
            .into_iter()
            .filter_map(|m| {
                let sub = subs.get(&m.subscription_id)?;
                Some(LeasedDelivery { url: sub.url.clone(), secret: sub.secret.clone(), delivery: delivery(m) })
            })
            .collect())
    }

    async fn record(&self, delivery_id: Uuid, attempt: Attempt) -> DomainResult<()> {
        let txn = self.db.begin_write().await?;
        let Some(current) = d::Entity::find_by_id(delivery_id).one(&txn).await.db()? else {
            // Deleted with its subscription meanwhile.
            return Ok(());
        };
        let now = Utc::now();
        let status = match (attempt.ok, attempt.retry_at) {
            (true, _) => DeliveryStatus::Delivered,
            (false, Some(_)) => DeliveryStatus::Pending,
            (false, None) => DeliveryStatus::Failed,
        };
        let error = attempt.error.map(|e| e.chars().take(500).collect::<String>());
        d::Entity::update_many()
            .col_expr(d::Column::Status, Expr::value(status.as_str()))
            .col_expr(d::Column::Attempts, Expr::value(current.attempts + 1))
            .col_expr(d::Column::LastStatusCode, Expr::value(attempt.status_code))
            .col_expr(d::Column::LastError, Expr::value(error))
            .col_expr(d::Column::LeasedUntil, Expr::value(Option::<chrono::DateTime<Utc>>::None))
            .col_expr(d::Column::LeaseOwner, Expr::value(Option::<String>::None))
            .col_expr(d::Column::NextAttemptAt, Expr::value(attempt.retry_at.unwrap_or(now)))
            .col_expr(d::Column::DeliveredAt, Expr::value(attempt.ok.then_some(now)))
            .filter(d::Column::Id.eq(delivery_id))
            .exec(&txn)
            .await
            .db()?;
        let sub = s::Entity::update_many().filter(s::Column::Id.eq(current.subscription_id));
        let sub = match status {
            DeliveryStatus::Delivered => sub.col_expr(s::Column::ConsecutiveFailures, Expr::value(0)),
            DeliveryStatus::Pending => sub.col_expr(
                s::Column::ConsecutiveFailures,
                Expr::col(s::Column::ConsecutiveFailures).add(Expr::value(1)),
            ),
            DeliveryStatus::Failed => sub
                .col_expr(s::Column::ConsecutiveFailures, Expr::col(s::Column::ConsecutiveFailures).add(Expr::value(1)))
                .col_expr(s::Column::Active, Expr::value(false))
                .col_expr(
                    s::Column::DisabledReason,
                    Expr::value(format!("delivery {delivery_id} failed after {} attempts", current.attempts + 1)),
                )
                .col_expr(s::Column::UpdatedAt, Expr::value(now))
                .col_expr(s::Column::Version, Expr::col(s::Column::Version).add(Expr::value(1))),
        };
        sub.exec(&txn).await.db()?;
        txn.commit().await.db()?;
        Ok(())
    }
}
