//! Mentoring pairs on sea-orm: visible to the mentor and the mentee, and by organisation.

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use rsnms_domain::{
    DomainError, DomainResult,
    auth::{Ctx, Scope},
    changes::{Change, ChangeKind, ChangeScope, Party},
    development::mentoring::{MentoringFilter, MentoringForm, MentoringPair, MentoringRepository, NewMentoringPair},
    page::{Page, PageRequest},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{from_json, parse, to_json};
use crate::versioned::{self, Versioned};
use crate::{
    Database,
    entities::{development::mentoring_pairs as mp, organizations},
    error::DbResultExt,
    journal, scope,
};

/// Mentoring pairs repository.
#[derive(Debug, Clone)]
pub struct MentoringStore {
    pub(crate) db: Database,
}

fn visible(s: &Scope) -> Condition {
    match s {
        Scope::Person { person_id, .. } => {
            Condition::any().add(mp::Column::MentorId.eq(*person_id)).add(mp::Column::MenteeId.eq(*person_id))
        }
        other => scope::organization_column(other, mp::Column::OrganizationId),
    }
}

fn to_domain(m: mp::Model) -> DomainResult<MentoringPair> {
    Ok(MentoringPair {
        id: m.id,
        mentor_id: m.mentor_id,
        mentee_id: m.mentee_id,
        form: parse(&m.form, MentoringForm::parse)?,
        period_start: m.period_start,
        period_end: m.period_end,
        organization_id: m.organization_id,
        competency_ids: from_json(m.competency_ids)?,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    })
}

async fn change<C: ConnectionTrait>(
    conn: &C,
    x: &MentoringPair,
    kind: ChangeKind,
    action: &'static str,
) -> DomainResult<Change> {
    let org = organizations::Entity::find_by_id(x.organization_id).one(conn).await.db()?;
    Ok(Change {
        resource_type: "mentoring_pair",
        resource_id: x.id,
        kind,
        action,
        payload: serde_json::json!({
            "id": x.id, "mentor_id": x.mentor_id, "mentee_id": x.mentee_id, "form": x.form,
            "period_start": x.period_start, "period_end": x.period_end, "organization_id": x.organization_id,
            "competency_ids": x.competency_ids, "version": x.version,
        }),
        personal_data: false,
        scope: ChangeScope {
            region_code: org.as_ref().map(|o| o.region_code.clone()),
            municipality_code: org.and_then(|o| o.municipality_code),
            organization_id: Some(x.organization_id),
            person_id: Some(x.mentee_id),
            counterpart: Some(Party { person_id: Some(x.mentor_id), ..Party::default() }),
        },
    })
}

fn fill(am: &mut mp::ActiveModel, n: &NewMentoringPair) -> DomainResult<()> {
    am.mentor_id = Set(n.mentor_id);
    am.mentee_id = Set(n.mentee_id);
    am.form = Set(n.form.as_str().to_owned());
    am.period_start = Set(n.period_start);
    am.period_end = Set(n.period_end);
    am.organization_id = Set(n.organization_id);
    am.competency_ids = Set(to_json(&n.competency_ids)?);
    Ok(())
}

#[async_trait]
impl MentoringRepository for MentoringStore {
    async fn get(&self, s: &Scope, id: Uuid) -> DomainResult<MentoringPair> {
        to_domain(
            mp::Entity::find_by_id(id)
                .filter(visible(s))
                .one(&self.db.exec())
                .await
                .db()?
                .ok_or(DomainError::NotFound)?,
        )
    }

    async fn list(&self, s: &Scope, f: &MentoringFilter, page: PageRequest) -> DomainResult<Page<MentoringPair>> {
        let mut cond = Condition::all().add(visible(s));
        if let Some(o) = f.organization_id {
            cond = cond.add(mp::Column::OrganizationId.eq(o));
        }
        if let Some(p) = f.person_id {
            cond = cond.add(Condition::any().add(mp::Column::MentorId.eq(p)).add(mp::Column::MenteeId.eq(p)));
        }
        if let Some(x) = f.form {
            cond = cond.add(mp::Column::Form.eq(x.as_str()));
        }
        if let Some(after) = page.after {
            cond = cond.add(mp::Column::Id.gt(after));
        }
        let rows = mp::Entity::find()
            .filter(cond)
            .order_by_asc(mp::Column::Id)
            .limit(page.limit + 1)
            .all(&self.db.exec())
            .await
            .db()?;
        let items = rows.into_iter().map(to_domain).collect::<DomainResult<Vec<_>>>()?;
        Ok(Page::from_probe(items, page.limit, |x| x.id))
    }

    async fn running(&self, ids: &[Uuid], from: NaiveDate) -> DomainResult<Vec<MentoringPair>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // Competencies are JSON on both engines: read the pairs not over, keep those on them.
        let rows = mp::Entity::find()
            .filter(Condition::any().add(mp::Column::PeriodEnd.is_null()).add(mp::Column::PeriodEnd.gte(from)))
            .order_by_asc(mp::Column::Id)
            .limit(100_000)
            .all(&self.db.exec())
            .await
            .db()?;
        let mut out = Vec::new();
        for m in rows {
            let p = to_domain(m)?;
            if p.competency_ids.iter().any(|c| ids.contains(c)) {
                out.push(p);
            }
        }
        Ok(out)
    }

    async fn create(&self, ctx: &Ctx, new: NewMentoringPair) -> DomainResult<MentoringPair> {
        let now = Utc::now();
        let mut am = mp::ActiveModel {
            id: Set(Uuid::now_v7()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        };
        fill(&mut am, &new)?;
        let txn = self.db.begin_write().await?;
        let x = to_domain(mp::Entity::insert(am).exec_with_returning(&txn).await.db()?)?;
        let ch = change(&txn, &x, ChangeKind::Created, "create").await?;
        journal::record(&txn, Some(ctx), ch).await?;
        txn.commit().await.db()?;
        Ok(x)
    }

    async fn update(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        new: NewMentoringPair,
    ) -> DomainResult<MentoringPair> {
        let txn = self.db.begin_write().await?;
        let current = mp::Entity::find_by_id(id)
            .filter(visible(&ctx.actor.scope()))
            .one(&txn)
            .await
            .db()?
            .ok_or(DomainError::NotFound)?;
        if current.version != expected_version {
            return Err(DomainError::PreconditionFailed);
        }
        let mut am: mp::ActiveModel = current.into();
        fill(&mut am, &new)?;
        let m = versioned::save::<mp::Entity, _, _>(
            &txn,
            Versioned { id: mp::Column::Id, version: mp::Column::Version, updated_at: mp::Column::UpdatedAt },
            am,
            id,
            expected_version,
        )
        .await?;
        let x = to_domain(m)?;
        let ch = change(&txn, &x, ChangeKind::Updated, "update").await?;
        journal::record(&txn, Some(ctx), ch).await?;
        txn.commit().await.db()?;
        Ok(x)
    }
}
