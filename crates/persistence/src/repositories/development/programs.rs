//! Programmes (ДПП) on sea-orm; the competencies they develop are mirrored in
//! `program_competencies` for filtering.

use async_trait::async_trait;
use chrono::Utc;
use rsnms_domain::{
    DomainError, DomainResult,
    auth::Ctx,
    changes::{Change, ChangeKind, ChangeScope},
    development::programs::{NewProgram, Program, ProgramFilter, ProgramKind, ProgramRepository, StudyForm},
    page::{Page, PageRequest},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Query,
};
use uuid::Uuid;

use super::{from_json, parse, to_json};
use crate::versioned::{self, Versioned};
use crate::{
    Database,
    entities::development::{program_competencies as pc, programs as p},
    error::DbResultExt,
    journal,
};

/// Programmes repository.
#[derive(Debug, Clone)]
pub struct ProgramStore {
    pub(crate) db: Database,
}

fn to_domain(m: p::Model) -> DomainResult<Program> {
    Ok(Program {
        id: m.id,
        title: m.title,
        kind: parse(&m.kind, ProgramKind::parse)?,
        hours: m.hours,
        form: parse(&m.form, StudyForm::parse)?,
        developer_id: m.developer_id,
        audience: m.audience,
        annotation: m.annotation,
        planned_results: m.planned_results,
        competency_ids: from_json(m.competency_ids)?,
        federal_registry: m.federal_registry,
        registry_id: m.registry_id,
        registry_included_on: m.registry_included_on,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    })
}

fn change(x: &Program, kind: ChangeKind, action: &'static str) -> Change {
    Change {
        resource_type: "program",
        resource_id: x.id,
        kind,
        action,
        payload: serde_json::json!({
            "id": x.id, "title": x.title, "kind": x.kind, "hours": x.hours, "form": x.form,
            "developer_id": x.developer_id, "competency_ids": x.competency_ids,
            "federal_registry": x.federal_registry, "registry_id": x.registry_id,
            "registry_included_on": x.registry_included_on, "version": x.version,
        }),
        personal_data: false,
        scope: ChangeScope { organization_id: Some(x.developer_id), ..Default::default() },
    }
}

fn fill(am: &mut p::ActiveModel, n: &NewProgram) -> DomainResult<()> {
    am.title = Set(n.title.clone());
    am.kind = Set(n.kind.as_str().to_owned());
    am.hours = Set(n.hours);
    am.form = Set(n.form.as_str().to_owned());
    am.developer_id = Set(n.developer_id);
    am.audience = Set(n.audience.clone());
    am.annotation = Set(n.annotation.clone());
    am.planned_results = Set(n.planned_results.clone());
    am.competency_ids = Set(to_json(&n.competency_ids)?);
    am.federal_registry = Set(n.federal_registry);
    am.registry_id = Set(n.registry_id.clone());
    am.registry_included_on = Set(n.registry_included_on);
    Ok(())
}

async fn write_competencies<C: ConnectionTrait>(conn: &C, id: Uuid, ids: &[Uuid]) -> DomainResult<()> {
    pc::Entity::delete_many().filter(pc::Column::ProgramId.eq(id)).exec(conn).await.db()?;
    if ids.is_empty() {
        return Ok(());
    }
    pc::Entity::insert_many(ids.iter().map(|c| pc::ActiveModel { program_id: Set(id), competency_id: Set(*c) }))
        .exec_without_returning(conn)
        .await
        .db()?;
    Ok(())
}

fn covering_cond(ids: &[Uuid]) -> Condition {
    Condition::all().add(
        p::Column::Id.in_subquery(
            Query::select()
                .column(pc::Column::ProgramId)
                .from(pc::Entity)
                .and_where(pc::Column::CompetencyId.is_in(ids.iter().copied()))
                .to_owned(),
        ),
    )
}

#[async_trait]
impl ProgramRepository for ProgramStore {
    async fn get(&self, id: Uuid) -> DomainResult<Program> {
        to_domain(p::Entity::find_by_id(id).one(&self.db.exec()).await.db()?.ok_or(DomainError::NotFound)?)
    }

    async fn by_registry_id(&self, registry_id: &str) -> DomainResult<Option<Program>> {
        p::Entity::find()
            .filter(p::Column::RegistryId.eq(registry_id))
            .order_by_asc(p::Column::Id)
            .one(&self.db.exec())
            .await
            .db()?
            .map(to_domain)
            .transpose()
    }

    async fn list(&self, f: &ProgramFilter, page: PageRequest) -> DomainResult<Page<Program>> {
        let mut cond = Condition::all();
        if let Some(c) = f.competency_id {
            cond = cond.add(covering_cond(&[c]));
        }
        if let Some(k) = f.kind {
            cond = cond.add(p::Column::Kind.eq(k.as_str()));
        }
        if let Some(x) = f.form {
            cond = cond.add(p::Column::Form.eq(x.as_str()));
        }
        if let Some(r) = f.federal_registry {
            cond = cond.add(p::Column::FederalRegistry.eq(r));
        }
        if let Some(after) = page.after {
            cond = cond.add(p::Column::Id.gt(after));
        }
        let rows = p::Entity::find()
            .filter(cond)
            .order_by_asc(p::Column::Id)
            .limit(page.limit + 1)
            .all(&self.db.exec())
            .await
            .db()?;
        let items = rows.into_iter().map(to_domain).collect::<DomainResult<Vec<_>>>()?;
        Ok(Page::from_probe(items, page.limit, |x| x.id))
    }

    async fn covering(&self, ids: &[Uuid]) -> DomainResult<Vec<Program>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        p::Entity::find()
            .filter(covering_cond(ids))
            .order_by_asc(p::Column::Id)
            .limit(1000)
            .all(&self.db.exec())
            .await
            .db()?
            .into_iter()
            .map(to_domain)
            .collect()
    }

    async fn create(&self, ctx: &Ctx, new: NewProgram) -> DomainResult<Program> {
        let now = Utc::now();
        let id = Uuid::now_v7();
        let mut am = p::ActiveModel {
            id: Set(id),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        };
        fill(&mut am, &new)?;
        let txn = self.db.begin_write().await?;
        let x = to_domain(p::Entity::insert(am).exec_with_returning(&txn).await.db()?)?;
        write_competencies(&txn, id, &new.competency_ids).await?;
        journal::record(&txn, Some(ctx), change(&x, ChangeKind::Created, "create")).await?;
        txn.commit().await.db()?;
        Ok(x)
    }

    async fn update(&self, ctx: &Ctx, id: Uuid, expected_version: i64, new: NewProgram) -> DomainResult<Program> {
        let txn = self.db.begin_write().await?;
        let current = p::Entity::find_by_id(id).one(&txn).await.db()?.ok_or(DomainError::NotFound)?;
        if current.version != expected_version {
            return Err(DomainError::PreconditionFailed);
        }
        let mut am: p::ActiveModel = current.into();
        fill(&mut am, &new)?;
        let m = versioned::save::<p::Entity, _, _>(
            &txn,
            Versioned { id: p::Column::Id, version: p::Column::Version, updated_at: p::Column::UpdatedAt },
            am,
            id,
            expected_version,
        )
        .await?;
        write_competencies(&txn, id, &new.competency_ids).await?;
        let x = to_domain(m)?;
        journal::record(&txn, Some(ctx), change(&x, ChangeKind::Updated, "update")).await?;
        txn.commit().await.db()?;
        Ok(x)
    }
}
