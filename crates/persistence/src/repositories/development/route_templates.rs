//! Route templates on sea-orm: written once, read by id; each creation journaled.

use async_trait::async_trait;
use rsnms_domain::{
    DomainError, DomainResult,
    auth::Ctx,
    changes::{Change, ChangeKind, ChangeScope},
    development::iom::{RouteTemplate, RouteTemplateRepository},
};
use sea_orm::{ActiveValue::Set, EntityTrait};
use uuid::Uuid;

use super::{from_json, to_json};
use crate::{Database, entities::development::route_templates as t, error::DbResultExt, journal};

/// Route templates repository.
#[derive(Debug, Clone)]
pub struct RouteTemplateStore {
    pub(crate) db: Database,
}

fn to_domain(m: t::Model) -> DomainResult<RouteTemplate> {
    Ok(RouteTemplate {
        id: m.id,
        title: m.title,
        deficit_competency_ids: from_json(m.deficit_competency_ids)?,
        steps: from_json(m.steps)?,
        created_by: m.created_by,
        created_at: m.created_at,
    })
}

#[async_trait]
impl RouteTemplateRepository for RouteTemplateStore {
    async fn create(&self, ctx: &Ctx, x: RouteTemplate) -> DomainResult<RouteTemplate> {
        let txn = self.db.begin_write().await?;
        let row = t::ActiveModel {
            id: Set(x.id),
            title: Set(x.title.clone()),
            deficit_competency_ids: Set(to_json(&x.deficit_competency_ids)?),
            steps: Set(to_json(&x.steps)?),
            created_by: Set(x.created_by.clone()),
            created_at: Set(x.created_at),
        };
        let saved = to_domain(t::Entity::insert(row).exec_with_returning(&txn).await.db()?)?;
        let change = Change {
            resource_type: "route_template",
            resource_id: saved.id,
            kind: ChangeKind::Created,
            action: "create",
            payload: serde_json::json!({
                "id": saved.id, "title": saved.title, "deficit_competency_ids": saved.deficit_competency_ids,
                "steps": to_json(&saved.steps)?,
            }),
            personal_data: false,
            scope: ChangeScope::default(),
        };
        journal::record(&txn, Some(ctx), change).await?;
        txn.commit().await.db()?;
        Ok(saved)
    }

    async fn get(&self, id: Uuid) -> DomainResult<RouteTemplate> {
        to_domain(t::Entity::find_by_id(id).one(&self.db.exec()).await.db()?.ok_or(DomainError::NotFound)?)
    }
}
