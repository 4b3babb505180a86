//! Organisations on sea-orm.

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use rsnms_domain::{
    DomainError, DomainResult,
    auth::{Ctx, Scope},
    changes::{Change, ChangeKind, ChangeScope},
    organizations::{
        Contacts, Level, NewOrganization, Organization, OrganizationFilter, OrganizationKind, OrganizationRepository,
    },
    page::{Page, PageRequest},
    text::{like_escape, search_key},
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, LikeExpr},
};
use uuid::Uuid;

use crate::versioned::{self, Versioned};
use crate::{
    Database,
    entities::organizations::{ActiveModel, Column, Entity, Model},
    error::{DbResultExt, db_err_fields},
    journal,
    keyset::{self, KeyColumn, KeyType, unknown_sort},
    scope,
};

/// Organisations repository.
#[derive(Debug, Clone)]
pub struct OrganizationStore {
    pub(crate) db: Database,
}

fn to_domain(m: Model) -> DomainResult<Organization> {
    let bad = |what: &str| DomainError::internal(format!("organization {} has unknown {what}", m.id));
    Ok(Organization {
        kind: OrganizationKind::parse(&m.kind).ok_or_else(|| bad("kind"))?,
        level: Level::parse(&m.level).ok_or_else(|| bad("level"))?,
        contacts: serde_json::from_value::<Contacts>(m.contacts.clone()).map_err(|_| bad("contacts"))?,
        id: m.id,
        name: m.name,
        short_name: m.short_name,
        parent_id: m.parent_id,
        region_code: m.region_code,
        municipality_code: m.municipality_code,
        municipality_name: m.municipality_name,
        inn: m.inn,
        time_zone: m.time_zone,
        opened_on: m.opened_on,
        closed_on: m.closed_on,
        responsible_person_id: m.responsible_person_id,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    })
}

fn change(o: &Organization, kind: ChangeKind, action: &'static str) -> Change {
    Change {
        resource_type: "organization",
        resource_id: o.id,
        kind,
        action,
        payload: serde_json::to_value(o).unwrap_or_default(),
        personal_data: false,
        scope: ChangeScope {
            region_code: Some(o.region_code.clone()),
            municipality_code: o.municipality_code.clone(),
            organization_id: Some(o.id),
            person_id: None,
            counterpart: None,
        },
    }
}

fn fill(am: &mut ActiveModel, n: NewOrganization) {
    am.name_search = Set(search_key(&n.name));
    am.name = Set(n.name);
    am.short_name = Set(n.short_name);
    am.kind = Set(n.kind.as_str().to_owned());
    am.level = Set(n.level.as_str().to_owned());
    am.parent_id = Set(n.parent_id);
    am.region_code = Set(n.region_code);
    am.municipality_code = Set(n.municipality_code);
    am.municipality_name = Set(n.municipality_name);
    am.inn = Set(n.inn);
    am.time_zone = Set(n.time_zone);
    am.contacts = Set(serde_json::to_value(&n.contacts).unwrap_or_default());
    am.opened_on = Set(n.opened_on);
    am.responsible_person_id = Set(n.responsible_person_id);
}

impl OrganizationStore {
    /// Writes a versioned update: only when the stored version is the expected one.
    async fn versioned_update(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        action: &'static str,
        apply: impl FnOnce(&mut ActiveModel),
    ) -> DomainResult<Organization> {
        let txn = self.db.begin_write().await?;
        let current = Entity::find_by_id(id)
            .filter(scope::organizations(&ctx.actor.scope()))
            .one(&txn)
            .await
            .db()?
            .ok_or(DomainError::NotFound)?;
        if current.version != expected_version {
            return Err(DomainError::PreconditionFailed);
        }
        let mut am: ActiveModel = current.into();
        apply(&mut am);
        let cols = Versioned { id: Column::Id, version: Column::Version, updated_at: Column::UpdatedAt };
        let model = versioned::save_next_version::<Entity, _, _>(&txn, cols, am, id, expected_version, |e| {
            db_err_fields(e, &["inn"])
        })
        .await?;
        let org = to_domain(model)?;
        journal::record(&txn, Some(ctx), change(&org, ChangeKind::Updated, action)).await?;
        txn.commit().await.db()?;
        Ok(org)
    }
}

#[async_trait]
impl OrganizationRepository for OrganizationStore {
    async fn get(&self, scope: &Scope, id: Uuid) -> DomainResult<Organization> {
        let m = Entity::find_by_id(id)
            .filter(scope::organizations(scope))
            .one(&self.db.exec())
            .await
            .db()?
            .ok_or(DomainError::NotFound)?;
        to_domain(m)
    }

    async fn get_many(&self, scope: &Scope, ids: &[Uuid]) -> DomainResult<Vec<Organization>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = Entity::find()
            .filter(scope::organizations(scope))
            .filter(Column::Id.is_in(ids.iter().copied()))
            .order_by_asc(Column::Id)
            .all(&self.db.exec())
            .await
            .db()?;
        rows.into_iter().map(to_domain).collect()
    }

    async fn visible(&self, scope: &Scope, ids: &[Uuid]) -> DomainResult<Vec<Uuid>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Entity::find()
            .select_only()
            .column(Column::Id)
            .filter(scope::organizations(scope))
            .filter(Column::Id.is_in(ids.iter().copied()))
            .into_tuple()
            .all(&self.db.exec())
            .await
            .db()
    }

    async fn list(&self, scope: &Scope, f: &OrganizationFilter, page: PageRequest) -> DomainResult<Page<Organization>> {
        let mut cond = Condition::all().add(scope::organizations(scope));
        if let Some(k) = f.kind {
            cond = cond.add(Column::Kind.eq(k.as_str()));
        }
        if let Some(l) = f.level {
            cond = cond.add(Column::Level.eq(l.as_str()));
        }
        if let Some(p) = f.parent_id {
            cond = cond.add(Column::ParentId.eq(p));
        }
        if let Some(r) = &f.region_code {
            cond = cond.add(Column::RegionCode.eq(r.as_str()));
        }
        if let Some(m) = &f.municipality_code {
            cond = cond.add(Column::MunicipalityCode.eq(m.as_str()));
        }
        if let Some(n) = &f.name {
            let pattern = format!("%{}%", like_escape(&search_key(n)));
            cond = cond.add(Expr::col(Column::NameSearch).like(LikeExpr::new(pattern).escape('\\')));
        }
        if let Some(i) = &f.inn {
            cond = cond.add(Column::Inn.eq(i.as_str()));
        }
        match f.closed {
            Some(true) => cond = cond.add(Column::ClosedOn.is_not_null()),
            Some(false) => cond = cond.add(Column::ClosedOn.is_null()),
            None => {}
        }
        let keys: &[KeyColumn<Column>] = match page.sort.map(|s| s.key) {
            None => &[],
            Some("name") => &[KeyColumn { column: Column::Name, kind: KeyType::Text, nullable: false }],
            Some(_) => return Err(unknown_sort()),
        };
        let found = keyset::page(
            &self.db,
            Entity::find().filter(cond),
            Column::Id,
            keys,
            &page,
            |m| m.id,
            |m| vec![keyset::text(&m.name)],
        )
        .await?;
        found.try_map(to_domain)
    }

    async fn create(&self, ctx: &Ctx, new: NewOrganization) -> DomainResult<Organization> {
        let now = Utc::now();
        let mut am = ActiveModel {
            id: Set(Uuid::now_v7()),
            closed_on: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        };
        fill(&mut am, new);
        let txn = self.db.begin_write().await?;
        let model = Entity::insert(am).exec_with_returning(&txn).await.db_unique(&["inn"])?;
        let org = to_domain(model)?;
        journal::record(&txn, Some(ctx), change(&org, ChangeKind::Created, "create")).await?;
        txn.commit().await.db()?;
        Ok(org)
    }

    async fn update(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        changes: NewOrganization,
    ) -> DomainResult<Organization> {
        self.versioned_update(ctx, id, expected_version, "update", |am| fill(am, changes)).await
    }

    async fn close(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        closed_on: NaiveDate,
    ) -> DomainResult<Organization> {
        self.versioned_update(ctx, id, expected_version, "close", |am| am.closed_on = Set(Some(closed_on))).await
    }
}
