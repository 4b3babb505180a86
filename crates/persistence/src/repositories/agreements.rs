//! Agreements on sea-orm: the projection row with the latest document, every signed version
//! whole, amendments and reported values.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use rsnms_domain::{
    DomainError, DomainResult,
    agreements::{
        Agreement, AgreementDocument, AgreementFilter, AgreementRepository, AgreementStatus, AgreementVersion,
        Amendment, AmendmentChanges, IndicatorValue, Lifecycle, NewAgreement, NewAmendment, NewIndicatorValue,
        Territory, ValueFlag, value_flags,
    },
    auth::{Ctx, Scope},
    changes::{Change, ChangeKind, ChangeScope, Party},
    page::{Page, PageRequest},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::{
    Database,
    entities::{
        agreement_amendments as amendments, agreement_indicator_values as values, agreement_versions as versions,
        agreements::{ActiveModel, Column, Entity, Model},
    },
    error::DbResultExt,
    journal,
    keyset::{self, KeyColumn, KeyType, unknown_sort},
    scope,
    versioned::{self, Versioned},
};

/// Agreements repository.
#[derive(Debug, Clone)]
pub struct AgreementStore {
    pub(crate) db: Database,
}

fn json<T: serde::Serialize>(v: &T) -> DomainResult<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| DomainError::internal_caused("cannot serialise", e))
}

fn document(id: Uuid, v: serde_json::Value) -> DomainResult<AgreementDocument> {
    serde_json::from_value(v).map_err(|e| DomainError::internal_caused(format!("agreement {id} has a bad document"), e))
}

fn to_domain(m: Model) -> DomainResult<Agreement> {
    Ok(Agreement {
        lifecycle: Lifecycle::parse(&m.lifecycle)
            .ok_or_else(|| DomainError::internal(format!("agreement {} has unknown lifecycle", m.id)))?,
        document: document(m.id, m.document)?,
        id: m.id,
        terminated_on: m.terminated_on,
        termination_reason: m.termination_reason,
        region_code: m.region_code,
        municipality_code: m.municipality_code,
        municipality_name: m.municipality_name,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    })
}

fn amendment_to_domain(m: amendments::Model) -> DomainResult<Amendment> {
    Ok(Amendment {
        changes: serde_json::from_value::<AmendmentChanges>(m.changes)
            .map_err(|e| DomainError::internal_caused(format!("amendment {} has bad changes", m.id), e))?,
        id: m.id,
        agreement_id: m.agreement_id,
        number: m.number,
        signed_on: m.signed_on,
        effective_from: m.effective_from,
        description: m.description,
        created_at: m.created_at,
    })
}

fn value_to_domain(m: values::Model) -> IndicatorValue {
    let flags = serde_json::from_value::<Vec<ValueFlag>>(m.flags).unwrap_or_default();
    IndicatorValue {
        id: m.id,
        agreement_id: m.agreement_id,
        indicator_id: m.indicator_id,
        year: m.year,
        quarter: m.quarter,
        value: m.value,
        source: m.source,
        comment: m.comment,
        reported_by: m.reported_by,
        reporter_role: m.reporter_role,
        flags,
        reported_at: m.reported_at,
    }
}

/// The feed's audience of an agreement: the municipal party (and the levels above it), and the
/// institute as the second party (the regional authority is above the municipal one).
fn change_scope(a: &Agreement) -> ChangeScope {
    ChangeScope {
        region_code: Some(a.region_code.clone()),
        municipality_code: Some(a.municipality_code.clone()),
        organization_id: Some(a.document.parties.municipal_authority.organization_id),
        person_id: None,
        counterpart: Some(Party {
            region_code: Some(a.region_code.clone()),
            municipality_code: None,
            organization_id: Some(a.document.parties.regional_institute.organization_id),
            person_id: None,
        }),
    }
}

fn change(a: &Agreement, kind: ChangeKind, action: &'static str) -> DomainResult<Change> {
    Ok(Change {
        resource_type: "agreement",
        resource_id: a.id,
        kind,
        action,
        payload: json(a)?,
        personal_data: false,
        scope: change_scope(a),
    })
}

/// Writes the columns that mirror the document.
fn fill(am: &mut ActiveModel, doc: &AgreementDocument) -> DomainResult<()> {
    am.number = Set(doc.number.clone());
    am.regional_authority_id = Set(doc.parties.regional_authority.organization_id);
    am.regional_institute_id = Set(doc.parties.regional_institute.organization_id);
    am.municipal_authority_id = Set(doc.parties.municipal_authority.organization_id);
    am.signed_on = Set(doc.signed_on);
    am.valid_from = Set(doc.valid_from);
    am.valid_until = Set(doc.valid_until);
    am.document = Set(json(doc)?);
    Ok(())
}

fn territory(am: &mut ActiveModel, t: Territory) {
    am.region_code = Set(t.region_code);
    am.municipality_code = Set(t.municipality_code);
    am.municipality_name = Set(t.municipality_name);
}

/// Signed, and not terminated on or before `d`.
fn live_on(d: NaiveDate) -> Condition {
    Condition::any()
        .add(Column::Lifecycle.eq(Lifecycle::Signed.as_str()))
        .add(Condition::all().add(Column::Lifecycle.eq(Lifecycle::Terminated.as_str())).add(Column::TerminatedOn.gt(d)))
}

fn filter_condition(scope: &Scope, f: &AgreementFilter) -> Condition {
    let mut cond = Condition::all().add(scope::agreements(scope));
    if let Some(m) = &f.municipality_code {
        cond = cond.add(Column::MunicipalityCode.eq(m.as_str()));
    }
    if let Some(p) = f.party_id {
        cond = cond.add(
            Condition::any()
                .add(Column::RegionalAuthorityId.eq(p))
                .add(Column::RegionalInstituteId.eq(p))
                .add(Column::MunicipalAuthorityId.eq(p)),
        );
    }
    if let Some(d) = f.valid_on {
        cond = cond.add(live_on(d)).add(Column::ValidFrom.lte(d)).add(Column::ValidUntil.gte(d));
    }
    if let Some((start, end)) = f.active_between {
        cond = cond.add(live_on(start)).add(Column::ValidFrom.lte(end)).add(Column::ValidUntil.gte(start));
    }
    let today = f.today;
    cond = match f.status {
        None => cond,
        Some(AgreementStatus::Draft) => cond.add(Column::Lifecycle.eq(Lifecycle::Draft.as_str())),
        Some(AgreementStatus::Terminated) => {
            cond.add(Column::Lifecycle.eq(Lifecycle::Terminated.as_str())).add(Column::TerminatedOn.lte(today))
        }
        Some(AgreementStatus::Signed) => cond.add(live_on(today)).add(Column::ValidFrom.gt(today)),
        Some(AgreementStatus::InForce) => {
            cond.add(live_on(today)).add(Column::ValidFrom.lte(today)).add(Column::ValidUntil.gte(today))
        }
        Some(AgreementStatus::Expired) => cond.add(live_on(today)).add(Column::ValidUntil.lt(today)),
    };
    cond
}

async fn insert_version<C: ConnectionTrait>(
    conn: &C,
    agreement_id: Uuid,
    number: i32,
    effective_from: NaiveDate,
    amendment_id: Option<Uuid>,
    doc: &AgreementDocument,
) -> DomainResult<()> {
    versions::Entity::insert(versions::ActiveModel {
        id: Set(Uuid::now_v7()),
        agreement_id: Set(agreement_id),
        number: Set(number),
        effective_from: Set(effective_from),
        amendment_id: Set(amendment_id),
        document: Set(json(doc)?),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(conn)
    .await
    .db()?;
    Ok(())
}

fn effective_from(doc: &AgreementDocument) -> DomainResult<NaiveDate> {
    doc.valid_from.or(doc.signed_on).ok_or_else(|| DomainError::internal("a signed agreement without a start date"))
}

impl AgreementStore {
    /// Writes a versioned update of the projection row, then whatever `after` adds in the same
    /// transaction, then the journal.
    async fn versioned_update(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        action: &'static str,
        apply: impl FnOnce(&mut ActiveModel) -> DomainResult<()>,
    ) -> DomainResult<(Agreement, sea_orm::DatabaseTransaction)> {
        let txn = self.db.begin_write().await?;
        let current = Entity::find_by_id(id)
            .filter(scope::agreements(&ctx.actor.scope()))
            .one(&txn)
            .await
            .db()?
            .ok_or(DomainError::NotFound)?;
        if current.version != expected_version {
            return Err(DomainError::PreconditionFailed);
        }
        let mut am: ActiveModel = current.into();
        apply(&mut am)?;
        let model = versioned::save::<Entity, _, _>(
            &txn,
            Versioned { id: Column::Id, version: Column::Version, updated_at: Column::UpdatedAt },
            am,
            id,
            expected_version,
        )
        .await?;
        let a = to_domain(model)?;
        journal::record(&txn, Some(ctx), change(&a, ChangeKind::Updated, action)?).await?;
        Ok((a, txn))
    }
}

#[async_trait]
impl AgreementRepository for AgreementStore {
    async fn get(&self, scope: &Scope, id: Uuid) -> DomainResult<Agreement> {
        let m = Entity::find_by_id(id)
            .filter(scope::agreements(scope))
            .one(&self.db.exec())
            .await
            .db()?
            .ok_or(DomainError::NotFound)?;
        to_domain(m)
    }

    async fn list(&self, scope: &Scope, f: &AgreementFilter, page: PageRequest) -> DomainResult<Page<Agreement>> {
        let key = page.sort.map(|s| s.key);
        let keys: &[KeyColumn<Column>] = match key {
            None => &[],
            Some("signed_on") => &[KeyColumn::nullable(Column::SignedOn, KeyType::Date)],
            Some("number") => &[KeyColumn::new(Column::Number, KeyType::Text)],
            Some(_) => return Err(unknown_sort()),
        };
        let found = keyset::page(
            &self.db,
            Entity::find().filter(filter_condition(scope, f)),
            Column::Id,
            keys,
            &page,
            |m| m.id,
            |m| vec![if key == Some("signed_on") { keyset::date(m.signed_on) } else { keyset::text(&m.number) }],
        )
        .await?;
        found.try_map(to_domain)
    }

    async fn all(&self, scope: &Scope, f: &AgreementFilter) -> DomainResult<Vec<Agreement>> {
        let rows = Entity::find()
            .filter(filter_condition(scope, f))
            .order_by_asc(Column::MunicipalityCode)
            .order_by_asc(Column::Id)
            .all(&self.db.exec())
            .await
            .db()?;
        rows.into_iter().map(to_domain).collect()
    }

    async fn create(&self, ctx: &Ctx, new: NewAgreement) -> DomainResult<Agreement> {
        let now = Utc::now();
        let id = Uuid::now_v7();
        let mut am = ActiveModel {
            id: Set(id),
            lifecycle: Set(new.lifecycle.as_str().to_owned()),
            terminated_on: Set(None),
            termination_reason: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        };
        fill(&mut am, &new.document)?;
        territory(&mut am, new.territory);
        let txn = self.db.begin_write().await?;
        let model = Entity::insert(am).exec_with_returning(&txn).await.db_unique(&["number"])?;
        let a = to_domain(model)?;
        if a.lifecycle == Lifecycle::Signed {
            insert_version(&txn, id, 1, effective_from(&a.document)?, None, &a.document).await?;
        }
        journal::record(&txn, Some(ctx), change(&a, ChangeKind::Created, "create")?).await?;
        txn.commit().await.db()?;
        Ok(a)
    }

    async fn update_draft(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        t: Territory,
        doc: AgreementDocument,
    ) -> DomainResult<Agreement> {
        let (a, txn) = self
            .versioned_update(ctx, id, expected_version, "update", |am| {
                territory(am, t);
                fill(am, &doc)
            })
            .await?;
        txn.commit().await.db()?;
        Ok(a)
    }

    async fn sign(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        doc: AgreementDocument,
    ) -> DomainResult<Agreement> {
        let from = effective_from(&doc)?;
        let (a, txn) = self
            .versioned_update(ctx, id, expected_version, "sign", |am| {
                am.lifecycle = Set(Lifecycle::Signed.as_str().to_owned());
                fill(am, &doc)
            })
            .await?;
        insert_version(&txn, id, 1, from, None, &a.document).await?;
        txn.commit().await.db()?;
        Ok(a)
    }

    async fn terminate(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        on: NaiveDate,
        reason: Option<String>,
    ) -> DomainResult<Agreement> {
        let (a, txn) = self
            .versioned_update(ctx, id, expected_version, "terminate", |am| {
                am.lifecycle = Set(Lifecycle::Terminated.as_str().to_owned());
                am.terminated_on = Set(Some(on));
                am.termination_reason = Set(reason);
                Ok(())
            })
            .await?;
        txn.commit().await.db()?;
        Ok(a)
    }

    async fn amend(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        new: NewAmendment,
        doc: AgreementDocument,
    ) -> DomainResult<(Agreement, Amendment)> {
        let (a, txn) = self.versioned_update(ctx, id, expected_version, "amend", |am| fill(am, &doc)).await?;
        let amendment = amendments::Entity::insert(amendments::ActiveModel {
            id: Set(Uuid::now_v7()),
            agreement_id: Set(id),
            number: Set(new.number),
            signed_on: Set(new.signed_on),
            effective_from: Set(new.effective_from),
            description: Set(new.description),
            changes: Set(json(&new.changes)?),
            created_at: Set(Utc::now()),
        })
        .exec_with_returning(&txn)
        .await
        .db_unique(&["number"])?;
        let amendment = amendment_to_domain(amendment)?;
        let last = versions::Entity::find()
            .filter(versions::Column::AgreementId.eq(id))
            .order_by_desc(versions::Column::Number)
            .one(&txn)
            .await
            .db()?
            .map_or(0, |v| v.number);
        insert_version(&txn, id, last + 1, amendment.effective_from, Some(amendment.id), &doc).await?;
        txn.commit().await.db()?;
        Ok((a, amendment))
    }

    async fn versions(&self, scope: &Scope, ids: &[Uuid]) -> DomainResult<Vec<AgreementVersion>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let conn = &self.db.exec();
        let rows = versions::Entity::find()
            .filter(versions::Column::AgreementId.is_in(ids.iter().copied()))
            .filter(scope::agreement_column(scope, versions::Column::AgreementId))
            .order_by_asc(versions::Column::AgreementId)
            .order_by_asc(versions::Column::Number)
            .all(conn)
            .await
            .db()?;
        let amendment_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.amendment_id).collect();
        let mut by_id: HashMap<Uuid, Amendment> = HashMap::new();
        if !amendment_ids.is_empty() {
            for m in
                amendments::Entity::find().filter(amendments::Column::Id.is_in(amendment_ids)).all(conn).await.db()?
            {
                let a = amendment_to_domain(m)?;
                by_id.insert(a.id, a);
            }
        }
        rows.into_iter()
            .map(|r| {
                Ok(AgreementVersion {
                    amendment: r.amendment_id.and_then(|a| by_id.get(&a).cloned()),
                    document: document(r.agreement_id, r.document)?,
                    id: r.id,
                    agreement_id: r.agreement_id,
                    number: r.number,
                    effective_from: r.effective_from,
                    created_at: r.created_at,
                })
            })
            .collect()
    }

    async fn add_value(&self, ctx: &Ctx, a: &Agreement, new: NewIndicatorValue) -> DomainResult<IndicatorValue> {
        let txn = self.db.begin_write().await?;
        // Reports of one agreement are serialised (BEGIN IMMEDIATE on SQLite, the row lock on
        // PostgreSQL), so the flags see every value stored before.
        Entity::find_by_id(a.id)
            .filter(scope::agreements(&ctx.actor.scope()))
            .lock_exclusive()
            .one(&txn)
            .await
            .db()?
            .ok_or(DomainError::NotFound)?;
        let existing: Vec<IndicatorValue> = values::Entity::find()
            .filter(values::Column::AgreementId.eq(a.id))
            .filter(values::Column::IndicatorId.eq(new.indicator_id))
            .order_by_asc(values::Column::Id)
            .all(&txn)
            .await
            .db()?
            .into_iter()
            .map(value_to_domain)
            .collect();
        let flags = value_flags(&new.indicator, new.indicator_id, &existing, new.year, new.quarter, new.value);
        let model = values::Entity::insert(values::ActiveModel {
            id: Set(Uuid::now_v7()),
            agreement_id: Set(a.id),
            indicator_id: Set(new.indicator_id),
            year: Set(new.year),
            quarter: Set(new.quarter),
            value: Set(new.value),
            source: Set(new.source),
            comment: Set(new.comment),
            reported_by: Set(ctx.actor.subject.clone()),
            reporter_role: Set(ctx.actor.role.as_str().to_owned()),
            flags: Set(json(&flags)?),
            reported_at: Set(Utc::now()),
        })
        .exec_with_returning(&txn)
        .await
        .db()?;
        let v = value_to_domain(model);
        journal::record(
            &txn,
            Some(ctx),
            Change {
                resource_type: "agreement_indicator_value",
                resource_id: v.id,
                kind: ChangeKind::Created,
                action: "report_value",
                payload: json(&v)?,
                personal_data: false,
                scope: change_scope(a),
            },
        )
        .await?;
        txn.commit().await.db()?;
        Ok(v)
    }

    async fn values(&self, scope: &Scope, ids: &[Uuid]) -> DomainResult<Vec<IndicatorValue>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = values::Entity::find()
            .filter(values::Column::AgreementId.is_in(ids.iter().copied()))
            .filter(scope::agreement_column(scope, values::Column::AgreementId))
            .order_by_asc(values::Column::Id)
            .all(&self.db.exec())
            .await
            .db()?;
        Ok(rows.into_iter().map(value_to_domain).collect())
    }
}
