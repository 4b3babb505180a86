//! Deadline policies on sea-orm.

use async_trait::async_trait;
use chrono::Utc;
use rsnms_domain::{
    DomainError, DomainResult,
    auth::Ctx,
    calendar::{Term, TermUnit},
    changes::{Change, ChangeKind, ChangeScope},
    deadlines::{DeadlinePolicy, DeadlinePolicyRepository, NewDeadlinePolicy},
    page::{Page, PageRequest},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::OnConflict,
};
use uuid::Uuid;

use crate::versioned::{self, Versioned};
use crate::{
    Database,
    entities::deadline_policies::{ActiveModel, Column, Entity, Model},
    error::{DbResultExt, db_err_fields},
    journal,
};

/// Deadline policies repository.
#[derive(Debug, Clone)]
pub struct DeadlinePolicyStore {
    pub(crate) db: Database,
}

fn unit_str(u: TermUnit) -> &'static str {
    match u {
        TermUnit::WorkingDays => "working_days",
        TermUnit::CalendarDays => "calendar_days",
        TermUnit::Hours => "hours",
    }
}

fn to_domain(m: Model) -> DomainResult<DeadlinePolicy> {
    let unit = match m.term_unit.as_str() {
        "working_days" => TermUnit::WorkingDays,
        "calendar_days" => TermUnit::CalendarDays,
        "hours" => TermUnit::Hours,
        _ => return Err(DomainError::internal(format!("policy {} has an unknown unit", m.id))),
    };
    let n = |v: i32| u32::try_from(v).unwrap_or(0);
    Ok(DeadlinePolicy {
        id: m.id,
        code: m.code,
        name: m.name,
        term: Term { value: n(m.term_value), unit },
        legal_basis: m.legal_basis,
        max_extensions: n(m.max_extensions),
        max_extension_days: n(m.max_extension_days),
        due_soon_hours: n(m.due_soon_hours),
        is_default: m.is_default,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    })
}

fn fill(am: &mut ActiveModel, n: &NewDeadlinePolicy) {
    let i = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    am.code = Set(n.code.clone());
    am.name = Set(n.name.clone());
    am.term_value = Set(i(n.term.value));
    am.term_unit = Set(unit_str(n.term.unit).to_owned());
    am.legal_basis = Set(n.legal_basis.clone());
    am.max_extensions = Set(i(n.max_extensions));
    am.max_extension_days = Set(i(n.max_extension_days));
    am.due_soon_hours = Set(i(n.due_soon_hours));
    am.is_default = Set(n.is_default);
}

fn change(p: &DeadlinePolicy, kind: ChangeKind, action: &'static str) -> Change {
    Change {
        resource_type: "deadline_policy",
        resource_id: p.id,
        kind,
        action,
        payload: serde_json::json!({
            "id": p.id, "code": p.code, "name": p.name, "term": p.term, "legal_basis": p.legal_basis,
            "max_extensions": p.max_extensions, "max_extension_days": p.max_extension_days,
            "due_soon_hours": p.due_soon_hours, "is_default": p.is_default, "version": p.version,
        }),
        personal_data: false,
        scope: ChangeScope::default(),
    }
}

async fn unset_other_defaults<C: ConnectionTrait>(conn: &C, keep: Uuid) -> DomainResult<()> {
    Entity::update_many()
        .col_expr(Column::IsDefault, sea_orm::sea_query::Expr::value(false))
        .filter(Column::IsDefault.eq(true))
        .filter(Column::Id.ne(keep))
        .exec(conn)
        .await
        .db()?;
    Ok(())
}

const UNIQUE: &[&str] = &["code"];

#[async_trait]
impl DeadlinePolicyRepository for DeadlinePolicyStore {
    async fn get(&self, id: Uuid) -> DomainResult<DeadlinePolicy> {
        let m = Entity::find_by_id(id).one(&self.db.exec()).await.db()?.ok_or(DomainError::NotFound)?;
        to_domain(m)
    }

    async fn default_policy(&self) -> DomainResult<DeadlinePolicy> {
        let m = Entity::find()
            .filter(Column::IsDefault.eq(true))
            .order_by_asc(Column::Id)
            .one(&self.db.exec())
            .await
            .db()?
            .ok_or(DomainError::internal("no default deadline policy"))?;
        to_domain(m)
    }

    async fn list(&self, page: PageRequest) -> DomainResult<Page<DeadlinePolicy>> {
        let mut q = Entity::find().order_by_asc(Column::Id).limit(page.limit + 1);
        if let Some(after) = page.after {
            q = q.filter(Column::Id.gt(after));
        }
        let rows = q.all(&self.db.exec()).await.db()?;
        let items = rows.into_iter().map(to_domain).collect::<DomainResult<Vec<_>>>()?;
        Ok(Page::from_probe(items, page.limit, |p| p.id))
    }

    async fn create(&self, ctx: &Ctx, new: NewDeadlinePolicy) -> DomainResult<DeadlinePolicy> {
        let now = Utc::now();
        let id = Uuid::now_v7();
        let mut am = ActiveModel {
            id: Set(id),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        };
        fill(&mut am, &new);
        let txn = self.db.begin_write().await?;
        if new.is_default {
            unset_other_defaults(&txn, id).await?;
        }
        let model = Entity::insert(am).exec_with_returning(&txn).await.db_unique(UNIQUE)?;
        let p = to_domain(model)?;
        journal::record(&txn, Some(ctx), change(&p, ChangeKind::Created, "create")).await?;
        txn.commit().await.db()?;
        Ok(p)
    }

    async fn update(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        new: NewDeadlinePolicy,
    ) -> DomainResult<DeadlinePolicy> {
        let txn = self.db.begin_write().await?;
        let current = Entity::find_by_id(id).one(&txn).await.db()?.ok_or(DomainError::NotFound)?;
        if current.version != expected_version {
            return Err(DomainError::PreconditionFailed);
        }
        if new.is_default {
            unset_other_defaults(&txn, id).await?;
        }
        let mut am: ActiveModel = current.into();
        fill(&mut am, &new);
        let model = versioned::save_next_version::<Entity, _, _>(
            &txn,
            Versioned { id: Column::Id, version: Column::Version, updated_at: Column::UpdatedAt },
            am,
            id,
            expected_version,
            |e| db_err_fields(e, UNIQUE),
        )
        .await?;
        let p = to_domain(model)?;
        journal::record(&txn, Some(ctx), change(&p, ChangeKind::Updated, "update")).await?;
        txn.commit().await.db()?;
        Ok(p)
    }

    async fn seed(&self, policies: Vec<NewDeadlinePolicy>) -> DomainResult<u64> {
        let mut n = 0;
        for p in policies {
            let now = Utc::now();
            let mut am = ActiveModel {
                id: Set(Uuid::now_v7()),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
                ..Default::default()
            };
            fill(&mut am, &p);
            n += Entity::insert(am)
                .on_conflict(OnConflict::column(Column::Code).do_nothing().to_owned())
                .exec_without_returning(&self.db.exec())
                .await
                .db()?;
        }
        Ok(n)
    }
}
