//! The competency framework on sea-orm.

use async_trait::async_trait;
use chrono::Utc;
use rsnms_domain::{
    DomainError, DomainResult,
    auth::Ctx,
    changes::{Change, ChangeKind, ChangeScope},
    development::competencies::{
        AreaKind, Competency, CompetencyFilter, CompetencyRepository, CompetencyStatus, NewCompetency, NodeKind,
    },
    page::{Page, PageRequest},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::parse;
use crate::versioned::{self, Versioned};
use crate::{
    Database,
    entities::development::competencies::{ActiveModel, Column, Entity, Model},
    error::{DbResultExt, db_err_fields},
    journal,
};

/// Competencies repository.
#[derive(Debug, Clone)]
pub struct CompetencyStore {
    pub(crate) db: Database,
}

fn to_domain(m: Model) -> DomainResult<Competency> {
    Ok(Competency {
        id: m.id,
        node: parse(&m.node, NodeKind::parse)?,
        parent_id: m.parent_id,
        area_kind: parse(&m.area_kind, AreaKind::parse)?,
        code: m.code,
        name: m.name,
        description: m.description,
        status: parse(&m.status, CompetencyStatus::parse)?,
        retired_at: m.retired_at,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    })
}

fn change(c: &Competency, kind: ChangeKind, action: &'static str) -> Change {
    Change {
        resource_type: "competency",
        resource_id: c.id,
        kind,
        action,
        payload: serde_json::json!({
            "id": c.id, "node": c.node, "parent_id": c.parent_id, "area_kind": c.area_kind, "code": c.code,
            "name": c.name, "description": c.description, "status": c.status, "version": c.version,
        }),
        personal_data: false,
        scope: ChangeScope::default(),
    }
}

fn fill(am: &mut ActiveModel, n: &NewCompetency) {
    am.node = Set(n.node.as_str().to_owned());
    am.parent_id = Set(n.parent_id);
    am.area_kind = Set(n.area_kind.as_str().to_owned());
    am.code = Set(n.code.clone());
    am.name = Set(n.name.clone());
    am.description = Set(n.description.clone());
}

const UNIQUE: &[&str] = &["code"];

impl CompetencyStore {
    async fn write(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        edit: impl FnOnce(&mut ActiveModel),
        action: &'static str,
    ) -> DomainResult<Competency> {
        let txn = self.db.begin_write().await?;
        let current = Entity::find_by_id(id).one(&txn).await.db()?.ok_or(DomainError::NotFound)?;
        if current.version != expected_version {
            return Err(DomainError::PreconditionFailed);
        }
        let mut am: ActiveModel = current.into();
        edit(&mut am);
        let m = versioned::save_next_version::<Entity, _, _>(
            &txn,
            Versioned { id: Column::Id, version: Column::Version, updated_at: Column::UpdatedAt },
            am,
            id,
            expected_version,
            |e| db_err_fields(e, UNIQUE),
        )
        .await?;
        let c = to_domain(m)?;
        journal::record(&txn, Some(ctx), change(&c, ChangeKind::Updated, action)).await?;
        txn.commit().await.db()?;
        Ok(c)
    }
}

#[async_trait]
impl CompetencyRepository for CompetencyStore {
    async fn get(&self, id: Uuid) -> DomainResult<Competency> {
        to_domain(Entity::find_by_id(id).one(&self.db.exec()).await.db()?.ok_or(DomainError::NotFound)?)
    }

    async fn get_many(&self, ids: &[Uuid]) -> DomainResult<Vec<Competency>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Entity::find()
            .filter(Column::Id.is_in(ids.iter().copied()))
            .all(&self.db.exec())
            .await
            .db()?
            .into_iter()
            .map(to_domain)
            .collect()
    }

    async fn by_code(&self, code: &str) -> DomainResult<Option<Competency>> {
        Entity::find().filter(Column::Code.eq(code)).one(&self.db.exec()).await.db()?.map(to_domain).transpose()
    }

    async fn list(&self, f: &CompetencyFilter, page: PageRequest) -> DomainResult<Page<Competency>> {
        let mut cond = Condition::all();
        if let Some(n) = f.node {
            cond = cond.add(Column::Node.eq(n.as_str()));
        }
        if let Some(p) = f.parent_id {
            cond = cond.add(Column::ParentId.eq(p));
        }
        if let Some(k) = f.area_kind {
            cond = cond.add(Column::AreaKind.eq(k.as_str()));
        }
        if let Some(s) = f.status {
            cond = cond.add(Column::Status.eq(s.as_str()));
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
        let items = rows.into_iter().map(to_domain).collect::<DomainResult<Vec<_>>>()?;
        Ok(Page::from_probe(items, page.limit, |c| c.id))
    }

    async fn create(&self, ctx: &Ctx, new: NewCompetency) -> DomainResult<Competency> {
        let now = Utc::now();
        let mut am = ActiveModel {
            id: Set(Uuid::now_v7()),
            status: Set(CompetencyStatus::Active.as_str().to_owned()),
            retired_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        };
        fill(&mut am, &new);
        let txn = self.db.begin_write().await?;
        let m = Entity::insert(am).exec_with_returning(&txn).await.db_unique(UNIQUE)?;
        let c = to_domain(m)?;
        journal::record(&txn, Some(ctx), change(&c, ChangeKind::Created, "create")).await?;
        txn.commit().await.db()?;
        Ok(c)
    }

    async fn update(&self, ctx: &Ctx, id: Uuid, expected_version: i64, new: NewCompetency) -> DomainResult<Competency> {
        self.write(ctx, id, expected_version, |am| fill(am, &new), "update").await
    }

    async fn retire(&self, ctx: &Ctx, id: Uuid, expected_version: i64) -> DomainResult<Competency> {
        self.write(
            ctx,
            id,
            expected_version,
            |am| {
                am.status = Set(CompetencyStatus::Retired.as_str().to_owned());
                am.retired_at = Set(Some(Utc::now()));
            },
            "retire",
        )
        .await
    }

    async fn active_children(&self, id: Uuid) -> DomainResult<u64> {
        Entity::find()
            .filter(Column::ParentId.eq(id))
            .filter(Column::Status.eq(CompetencyStatus::Active.as_str()))
            .count(&self.db.exec())
            .await
            .db()
    }
}
