//! The audit trail on sea-orm.

use async_trait::async_trait;
use chrono::Utc;
use rsnms_domain::{
    DomainResult,
    audit::{AuditFilter, AuditRecord, AuditRepository},
    auth::Ctx,
    page::{Page, PageRequest},
};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{
    Database,
    entities::audit_log::{ActiveModel, Column, Entity},
    error::DbResultExt,
};

/// Records reads of personal data (one record per resource) on a connection or inside a
/// transaction: [`AuditRepository::record_reads`], and the webhook fan-out beside the deliveries
/// it makes.
pub(crate) async fn record_reads_in<C: sea_orm::ConnectionTrait>(
    conn: &C,
    ctx: &Ctx,
    resource_type: &str,
    ids: &[Uuid],
) -> DomainResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let rows = ids.iter().map(|id| ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(now),
        actor_subject: Set(ctx.actor.subject.clone()),
        actor_role: Set(ctx.actor.role.as_str().to_owned()),
        action: Set("read_personal_data".to_owned()),
        resource_type: Set(resource_type.to_owned()),
        resource_id: Set(Some(*id)),
        request_id: Set(ctx.request_id.clone()),
        details: Set(serde_json::json!({})),
    });
    Entity::insert_many(rows).exec_without_returning(conn).await.db()?;
    Ok(())
}

/// Audit repository.
#[derive(Debug, Clone)]
pub struct AuditStore {
    pub(crate) db: Database,
}

#[async_trait]
impl AuditRepository for AuditStore {
    async fn record_reads(&self, ctx: &Ctx, resource_type: &str, ids: &[Uuid]) -> DomainResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let txn = self.db.begin_write().await?;
        record_reads_in(&txn, ctx, resource_type, ids).await?;
        txn.commit().await.db()?;
        Ok(())
    }

    async fn list(&self, f: &AuditFilter, page: PageRequest) -> DomainResult<Page<AuditRecord>> {
        let mut cond = Condition::all();
        if let Some(t) = &f.resource_type {
            cond = cond.add(Column::ResourceType.eq(t.as_str()));
        }
        if let Some(id) = f.resource_id {
            cond = cond.add(Column::ResourceId.eq(id));
        }
        if let Some(s) = &f.actor_subject {
            cond = cond.add(Column::ActorSubject.eq(s.as_str()));
        }
        if let Some(a) = &f.action {
            cond = cond.add(Column::Action.eq(a.as_str()));
        }
        if let Some(after) = page.after {
            cond = cond.add(Column::Id.gt(after));
        }
        let rows = Entity::find()
            .filter(cond)
            .order_by_asc(Column::Id)
            .limit(page.limit + 1)
            .all(&self.db.exec())
            .await
            .db()?;
        let items = rows
            .into_iter()
            .map(|m| AuditRecord {
                id: m.id,
                at: m.at,
                actor_subject: m.actor_subject,
                actor_role: m.actor_role,
                action: m.action,
                resource_type: m.resource_type,
                resource_id: m.resource_id,
                request_id: m.request_id,
                details: m.details,
            })
            .collect();
        Ok(Page::from_probe(items, page.limit, |r| r.id))
    }
}
