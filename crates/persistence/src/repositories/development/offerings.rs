//! Events and internship sites on sea-orm (one table, told apart by `offering`).

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use rsnms_domain::{
    DomainError, DomainResult,
    auth::Ctx,
    changes::{Change, ChangeKind, ChangeScope},
    development::events::{
        EventKind, EventLevel, NewOffering, Offering, OfferingFilter, OfferingKind, OfferingRepository,
    },
    page::{Page, PageRequest},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Query,
};
use uuid::Uuid;

use super::{from_json, to_json};
use crate::versioned::{self, Versioned};
use crate::{
    Database,
    entities::development::{offering_competencies as oc, offerings as o},
    error::DbResultExt,
    journal,
    keyset::{self, KeyColumn, KeyType, unknown_sort},
};

/// Events and internship sites repository.
#[derive(Debug, Clone)]
pub struct OfferingStore {
    pub(crate) db: Database,
}

fn tag(kind: OfferingKind) -> &'static str {
    match kind {
        OfferingKind::Event => "event",
        OfferingKind::InternshipSite => "internship_site",
    }
}

fn to_domain(m: o::Model) -> DomainResult<Offering> {
    let offering = match m.offering.as_str() {
        "event" => OfferingKind::Event,
        "internship_site" => OfferingKind::InternshipSite,
        other => return Err(DomainError::internal(format!("unknown offering {other}"))),
    };
    Ok(Offering {
        id: m.id,
        offering,
        title: m.title,
        kind: m.kind.as_deref().and_then(EventKind::parse),
        level: m.level.as_deref().and_then(EventLevel::parse),
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        organization_id: m.organization_id,
        competency_ids: from_json(m.competency_ids)?,
        participants: m.participants,
        capacity: m.capacity,
        decision: m.decision,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    })
}

fn change(x: &Offering, kind: ChangeKind, action: &'static str) -> Change {
    Change {
        resource_type: tag(x.offering),
        resource_id: x.id,
        kind,
        action,
        payload: serde_json::json!({
            "id": x.id, "title": x.title, "kind": x.kind, "level": x.level, "starts_on": x.starts_on,
            "ends_on": x.ends_on, "organization_id": x.organization_id, "competency_ids": x.competency_ids,
            "participants": x.participants, "capacity": x.capacity, "version": x.version,
        }),
        personal_data: false,
        scope: ChangeScope { organization_id: Some(x.organization_id), ..Default::default() },
    }
}

fn fill(am: &mut o::ActiveModel, n: &NewOffering) -> DomainResult<()> {
    am.title = Set(n.title.clone());
    am.kind = Set(n.kind.map(|k| k.as_str().to_owned()));
    am.level = Set(n.level.map(|l| l.as_str().to_owned()));
    am.starts_on = Set(n.starts_on);
    am.ends_on = Set(n.ends_on);
    am.organization_id = Set(n.organization_id);
    am.competency_ids = Set(to_json(&n.competency_ids)?);
    am.participants = Set(n.participants);
    am.capacity = Set(n.capacity);
    am.decision = Set(n.decision.clone());
    Ok(())
}

async fn write_competencies<C: ConnectionTrait>(conn: &C, id: Uuid, ids: &[Uuid]) -> DomainResult<()> {
    oc::Entity::delete_many().filter(oc::Column::OfferingId.eq(id)).exec(conn).await.db()?;
    if ids.is_empty() {
        return Ok(());
    }
    oc::Entity::insert_many(ids.iter().map(|c| oc::ActiveModel { offering_id: Set(id), competency_id: Set(*c) }))
        .exec_without_returning(conn)
        .await
        .db()?;
    Ok(())
}

fn covering_cond(ids: &[Uuid]) -> Condition {
    Condition::all().add(
        o::Column::Id.in_subquery(
            Query::select()
                .column(oc::Column::OfferingId)
                .from(oc::Entity)
                .and_where(oc::Column::CompetencyId.is_in(ids.iter().copied()))
                .to_owned(),
        ),
    )
}

#[async_trait]
impl OfferingRepository for OfferingStore {
    async fn get(&self, kind: OfferingKind, id: Uuid) -> DomainResult<Offering> {
        to_domain(
            o::Entity::find_by_id(id)
                .filter(o::Column::Offering.eq(tag(kind)))
                .one(&self.db.exec())
                .await
                .db()?
                .ok_or(DomainError::NotFound)?,
        )
    }

    async fn list(&self, kind: OfferingKind, f: &OfferingFilter, page: PageRequest) -> DomainResult<Page<Offering>> {
        let mut cond = Condition::all().add(o::Column::Offering.eq(tag(kind)));
        if let Some(c) = f.competency_id {
            cond = cond.add(covering_cond(&[c]));
        }
        if let Some(l) = f.level {
            cond = cond.add(o::Column::Level.eq(l.as_str()));
        }
        if let Some(d) = f.from {
            cond = cond.add(o::Column::StartsOn.gte(d));
        }
        if let Some(d) = f.to {
            cond = cond.add(o::Column::StartsOn.lte(d));
        }
        if let Some(org) = f.organization_id {
            cond = cond.add(o::Column::OrganizationId.eq(org));
        }
        let keys: &[KeyColumn<o::Column>] = match page.sort.map(|s| s.key) {
            None => &[],
            Some("held_on") => &[KeyColumn::new(o::Column::StartsOn, KeyType::Date)],
            Some(_) => return Err(unknown_sort()),
        };
        let found = keyset::page(
            &self.db,
            o::Entity::find().filter(cond),
            o::Column::Id,
            keys,
            &page,
            |m| m.id,
            |m| vec![keyset::date(Some(m.starts_on))],
        )
        .await?;
        found.try_map(to_domain)
    }

    async fn covering(&self, kind: OfferingKind, ids: &[Uuid], from: NaiveDate) -> DomainResult<Vec<Offering>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let not_over = match kind {
            OfferingKind::Event => Condition::all().add(o::Column::StartsOn.gte(from)),
            OfferingKind::InternshipSite => Condition::all().add(o::Column::EndsOn.gte(from)),
        };
        o::Entity::find()
            .filter(o::Column::Offering.eq(tag(kind)))
            .filter(covering_cond(ids))
            .filter(not_over)
            .order_by_asc(o::Column::StartsOn)
            .limit(500)
            .all(&self.db.exec())
            .await
            .db()?
            .into_iter()
            .map(to_domain)
            .collect()
    }

    async fn create(&self, ctx: &Ctx, kind: OfferingKind, new: NewOffering) -> DomainResult<Offering> {
        let now = Utc::now();
        let id = Uuid::now_v7();
        let mut am = o::ActiveModel {
            id: Set(id),
            offering: Set(tag(kind).to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        };
        fill(&mut am, &new)?;
        let txn = self.db.begin_write().await?;
        let x = to_domain(o::Entity::insert(am).exec_with_returning(&txn).await.db()?)?;
        write_competencies(&txn, id, &new.competency_ids).await?;
        journal::record(&txn, Some(ctx), change(&x, ChangeKind::Created, "create")).await?;
        txn.commit().await.db()?;
        Ok(x)
    }

    async fn update(
        &self,
        ctx: &Ctx,
        kind: OfferingKind,
        id: Uuid,
        expected_version: i64,
        new: NewOffering,
    ) -> DomainResult<Offering> {
        let txn = self.db.begin_write().await?;
        let current = o::Entity::find_by_id(id)
            .filter(o::Column::Offering.eq(tag(kind)))
            .one(&txn)
            .await
            .db()?
            .ok_or(DomainError::NotFound)?;
        if current.version != expected_version {
            return Err(DomainError::PreconditionFailed);
        }
        let mut am: o::ActiveModel = current.into();
        fill(&mut am, &new)?;
        let m = versioned::save::<o::Entity, _, _>(
            &txn,
            Versioned { id: o::Column::Id, version: o::Column::Version, updated_at: o::Column::UpdatedAt },
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
