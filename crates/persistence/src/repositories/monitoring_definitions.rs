//! The region's own indicator definitions on sea-orm (the built-in ones live in the domain code).
//! Every change is versioned and journaled (audit + outbox) in its transaction.

use chrono::Utc;
use rsnms_domain::{
    DomainError, DomainResult,
    auth::Ctx,
    changes::{Change, ChangeKind, ChangeScope},
    monitoring::{
        Accumulation, Definition, DefinitionOrigin, DefinitionRecord, DefinitionStatus, Measure, Population, Unit,
    },
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{development::parse, monitoring::MonitoringStore};
use crate::{
    entities::monitoring_definitions::{ActiveModel, Column, Entity, Model},
    error::{DbResultExt, db_err_fields},
    journal,
    versioned::{self, Versioned},
};

const UNIQUE: &[&str] = &["code"];

fn to_domain(m: Model) -> DomainResult<DefinitionRecord> {
    Ok(DefinitionRecord {
        definition: Definition {
            code: m.code,
            name: m.name,
            description: m.description,
            numerator: parse(&m.numerator, Measure::parse)?,
            denominator: m.denominator.as_deref().map(|p| parse(p, Population::parse)).transpose()?,
            accumulation: parse(&m.accumulation, Accumulation::parse)?,
            unit: parse(&m.unit, Unit::parse)?,
            source: m.source,
            agreement_key: m.agreement_key,
        },
        origin: DefinitionOrigin::Custom,
        status: parse(&m.status, DefinitionStatus::parse)?,
        retired_at: m.retired_at,
        created_at: Some(m.created_at),
        updated_at: Some(m.updated_at),
        version: m.version,
    })
}

fn change(id: Uuid, r: &DefinitionRecord, kind: ChangeKind, action: &'static str) -> Change {
    let d = &r.definition;
    Change {
        resource_type: "monitoring_definition",
        resource_id: id,
        kind,
        action,
        payload: serde_json::json!({
            "code": d.code, "name": d.name, "description": d.description, "numerator": d.numerator,
            "denominator": d.denominator, "accumulation": d.accumulation, "unit": d.unit, "source": d.source,
            "agreement_key": d.agreement_key, "origin": r.origin, "status": r.status, "version": r.version,
        }),
        personal_data: false,
        scope: ChangeScope::default(),
    }
}

fn fill(am: &mut ActiveModel, d: &Definition) {
    am.code = Set(d.code.clone());
    am.name = Set(d.name.clone());
    am.description = Set(d.description.clone());
    am.numerator = Set(d.numerator.as_str().to_owned());
    am.denominator = Set(d.denominator.map(|p| p.as_str().to_owned()));
    am.accumulation = Set(d.accumulation.as_str().to_owned());
    am.unit = Set(d.unit.as_str().to_owned());
    am.source = Set(d.source.clone());
    am.agreement_key = Set(d.agreement_key.clone());
}

impl MonitoringStore {
    pub(crate) async fn list_custom_definitions(&self) -> DomainResult<Vec<DefinitionRecord>> {
        Entity::find().order_by_asc(Column::Id).all(&self.db.exec()).await.db()?.into_iter().map(to_domain).collect()
    }

    pub(crate) async fn custom_definition_by_code(&self, code: &str) -> DomainResult<DefinitionRecord> {
        to_domain(
            Entity::find()
                .filter(Column::Code.eq(code))
                .one(&self.db.exec())
                .await
                .db()?
                .ok_or(DomainError::NotFound)?,
        )
    }

    pub(crate) async fn insert_definition(&self, ctx: &Ctx, d: Definition) -> DomainResult<DefinitionRecord> {
        let now = Utc::now();
        let id = Uuid::now_v7();
        let mut am = ActiveModel {
            id: Set(id),
            status: Set(DefinitionStatus::Active.as_str().to_owned()),
            retired_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        };
        fill(&mut am, &d);
        let txn = self.db.begin_write().await?;
        let m = Entity::insert(am).exec_with_returning(&txn).await.db_unique(UNIQUE)?;
        let r = to_domain(m)?;
        journal::record(&txn, Some(ctx), change(id, &r, ChangeKind::Created, "create")).await?;
        txn.commit().await.db()?;
        Ok(r)
    }

    /// Stores the next version of the definition with this code, edited by `edit`.
    pub(crate) async fn write_definition(
        &self,
        ctx: &Ctx,
        code: &str,
        expected_version: i64,
        edit: impl FnOnce(&mut ActiveModel),
        action: &'static str,
    ) -> DomainResult<DefinitionRecord> {
        let txn = self.db.begin_write().await?;
        let current =
            Entity::find().filter(Column::Code.eq(code)).one(&txn).await.db()?.ok_or(DomainError::NotFound)?;
        if current.version != expected_version {
            return Err(DomainError::PreconditionFailed);
        }
        let id = current.id;
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
        let r = to_domain(m)?;
        journal::record(&txn, Some(ctx), change(id, &r, ChangeKind::Updated, action)).await?;
        txn.commit().await.db()?;
        Ok(r)
    }

    pub(crate) async fn replace_definition(
        &self,
        ctx: &Ctx,
        code: &str,
        expected_version: i64,
        d: Definition,
    ) -> DomainResult<DefinitionRecord> {
        self.write_definition(ctx, code, expected_version, |am| fill(am, &d), "update").await
    }

    pub(crate) async fn retire_definition_row(
        &self,
        ctx: &Ctx,
        code: &str,
        expected_version: i64,
    ) -> DomainResult<DefinitionRecord> {
        self.write_definition(
            ctx,
            code,
            expected_version,
            |am| {
                am.status = Set(DefinitionStatus::Retired.as_str().to_owned());
                am.retired_at = Set(Some(Utc::now()));
            },
            "retire",
        )
        .await
    }
}
