//! Diagnostic campaigns and results on sea-orm. Results are scoped through their person.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use rsnms_domain::{
    DomainError, DomainResult,
    auth::{Ctx, Scope},
    changes::{Change, ChangeKind, ChangeScope},
    development::diagnostics::{
        AnalyticsRow, Campaign, CampaignFilter, DiagnosticRepository, DiagnosticResult, GroupBy, Instrument,
        MentorCandidate, NewCampaign, NewResult, RecordSummary, ResultFilter, Scale, TargetGroup,
    },
    page::{Page, PageRequest},
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Query, SelectStatement},
};
use uuid::Uuid;

use super::{from_json, parse, to_json};
use crate::versioned::{self, Versioned};
use crate::{
    Database,
    entities::{
        development::{diagnostic_campaigns as dc, diagnostic_results as dr},
        organizations, person_roles, persons,
    },
    error::DbResultExt,
    journal, scope,
};

/// Diagnostics repository.
#[derive(Debug, Clone)]
pub struct DiagnosticStore {
    pub(crate) db: Database,
}

fn campaign(m: dc::Model) -> DomainResult<Campaign> {
    Ok(Campaign {
        id: m.id,
        name: m.name,
        instrument: parse(&m.instrument, Instrument::parse)?,
        period_start: m.period_start,
        period_end: m.period_end,
        organizer_id: m.organizer_id,
        target_group: parse(&m.target_group, TargetGroup::parse)?,
        target_description: m.target_description,
        scale: from_json::<Scale>(m.scale)?,
        competency_ids: from_json(m.competency_ids)?,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    })
}

fn result(m: dr::Model) -> DiagnosticResult {
    DiagnosticResult {
        id: m.id,
        campaign_id: m.campaign_id,
        person_id: m.person_id,
        competency_id: m.competency_id,
        score: m.score,
        level: m.level,
        assessed_on: m.assessed_on,
        deficit: m.deficit,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    }
}

fn campaign_change(c: &Campaign, kind: ChangeKind, action: &'static str) -> DomainResult<Change> {
    Ok(Change {
        resource_type: "diagnostic",
        resource_id: c.id,
        kind,
        action,
        payload: serde_json::json!({
            "id": c.id, "name": c.name, "instrument": c.instrument, "period_start": c.period_start,
            "period_end": c.period_end, "organizer_id": c.organizer_id, "target_group": c.target_group,
            "scale": to_json(&c.scale)?, "competency_ids": c.competency_ids, "version": c.version,
        }),
        personal_data: false,
        scope: ChangeScope { organization_id: Some(c.organizer_id), ..Default::default() },
    })
}

fn fill(am: &mut dc::ActiveModel, n: &NewCampaign) -> DomainResult<()> {
    am.name = Set(n.name.clone());
    am.instrument = Set(n.instrument.as_str().to_owned());
    am.period_start = Set(n.period_start);
    am.period_end = Set(n.period_end);
    am.organizer_id = Set(n.organizer_id);
    am.target_group = Set(n.target_group.as_str().to_owned());
    am.target_description = Set(n.target_description.clone());
    am.scale = Set(to_json(&n.scale)?);
    am.competency_ids = Set(to_json(&n.competency_ids)?);
    Ok(())
}

/// Persons the scope shows, as a sub-query of ids.
pub(crate) fn persons_in(scope: &Scope) -> SelectStatement {
    Query::select().column(persons::Column::Id).from(persons::Entity).cond_where(scope::persons(scope)).to_owned()
}

/// Where each person works: (organisation, region, municipality code, municipality name, organisation name).
type Place = (Uuid, String, Option<String>, Option<String>, String);

async fn places<C: ConnectionTrait>(conn: &C, person_ids: &[Uuid]) -> DomainResult<HashMap<Uuid, Place>> {
    if person_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut out = HashMap::new();
    for chunk in person_ids.chunks(500) {
        let ps =
            persons::Entity::find().filter(persons::Column::Id.is_in(chunk.iter().copied())).all(conn).await.db()?;
        let org_ids: HashSet<Uuid> = ps.iter().map(|p| p.organization_id).collect();
        let orgs: HashMap<Uuid, organizations::Model> = organizations::Entity::find()
            .filter(organizations::Column::Id.is_in(org_ids))
            .all(conn)
            .await
            .db()?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        for p in ps {
            if let Some(o) = orgs.get(&p.organization_id) {
                out.insert(
                    p.id,
                    (
                        o.id,
                        o.region_code.clone(),
                        o.municipality_code.clone(),
                        o.municipality_name.clone(),
                        o.name.clone(),
                    ),
                );
            }
        }
    }
    Ok(out)
}

fn result_change(r: &DiagnosticResult, kind: ChangeKind, action: &'static str, place: Option<&Place>) -> Change {
    Change {
        resource_type: "diagnostic_result",
        resource_id: r.id,
        kind,
        action,
        payload: serde_json::json!({
            "id": r.id, "campaign_id": r.campaign_id, "person_id": r.person_id, "competency_id": r.competency_id,
            "score": r.score, "level": r.level, "assessed_on": r.assessed_on, "deficit": r.deficit,
            "created_at": r.created_at, "updated_at": r.updated_at, "version": r.version,
        }),
        personal_data: true,
        scope: ChangeScope {
            region_code: place.map(|p| p.1.clone()),
            municipality_code: place.and_then(|p| p.2.clone()),
            organization_id: place.map(|p| p.0),
            person_id: Some(r.person_id),
            counterpart: None,
        },
    }
}

#[async_trait]
impl DiagnosticRepository for DiagnosticStore {
    async fn get_campaign(&self, id: Uuid) -> DomainResult<Campaign> {
        campaign(dc::Entity::find_by_id(id).one(&self.db.exec()).await.db()?.ok_or(DomainError::NotFound)?)
    }

    async fn get_campaigns(&self, ids: &[Uuid]) -> DomainResult<Vec<Campaign>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        dc::Entity::find()
            .filter(dc::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db.exec())
            .await
            .db()?
            .into_iter()
            .map(campaign)
            .collect()
    }

    async fn list_campaigns(&self, f: &CampaignFilter, page: PageRequest) -> DomainResult<Page<Campaign>> {
        let mut cond = Condition::all();
        if let Some(i) = f.instrument {
            cond = cond.add(dc::Column::Instrument.eq(i.as_str()));
        }
        if let Some(o) = f.organizer_id {
            cond = cond.add(dc::Column::OrganizerId.eq(o));
        }
        if let Some(after) = page.after {
            cond = cond.add(dc::Column::Id.gt(after));
        }
        let rows = dc::Entity::find()
            .filter(cond)
            .order_by_asc(dc::Column::Id)
            .limit(page.limit + 1)
            .all(&self.db.exec())
            .await
            .db()?;
        let items = rows.into_iter().map(campaign).collect::<DomainResult<Vec<_>>>()?;
        Ok(Page::from_probe(items, page.limit, |c| c.id))
    }

    async fn create_campaign(&self, ctx: &Ctx, new: NewCampaign) -> DomainResult<Campaign> {
        let now = Utc::now();
        let mut am = dc::ActiveModel {
            id: Set(Uuid::now_v7()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        };
        fill(&mut am, &new)?;
        let txn = self.db.begin_write().await?;
        let c = campaign(dc::Entity::insert(am).exec_with_returning(&txn).await.db()?)?;
        journal::record(&txn, Some(ctx), campaign_change(&c, ChangeKind::Created, "create")?).await?;
        txn.commit().await.db()?;
        Ok(c)
    }

    async fn update_campaign(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        new: NewCampaign,
    ) -> DomainResult<Campaign> {
        let txn = self.db.begin_write().await?;
        let current = dc::Entity::find_by_id(id).one(&txn).await.db()?.ok_or(DomainError::NotFound)?;
        if current.version != expected_version {
            return Err(DomainError::PreconditionFailed);
        }
        let mut am: dc::ActiveModel = current.into();
        fill(&mut am, &new)?;
        let m = versioned::save::<dc::Entity, _, _>(
            &txn,
            Versioned { id: dc::Column::Id, version: dc::Column::Version, updated_at: dc::Column::UpdatedAt },
            am,
            id,
            expected_version,
        )
        .await?;
        let c = campaign(m)?;
        journal::record(&txn, Some(ctx), campaign_change(&c, ChangeKind::Updated, "update")?).await?;
        txn.commit().await.db()?;
        Ok(c)
    }

    async fn competencies_with_results(&self, campaign_id: Uuid) -> DomainResult<Vec<Uuid>> {
        dr::Entity::find()
            .select_only()
            .column(dr::Column::CompetencyId)
            .distinct()
            .filter(dr::Column::CampaignId.eq(campaign_id))
            .into_tuple::<Uuid>()
            .all(&self.db.exec())
            .await
            .db()
    }

    async fn visible_persons(&self, scope: &Scope, ids: &[Uuid]) -> DomainResult<HashSet<Uuid>> {
        let mut out = HashSet::new();
        for chunk in ids.chunks(500) {
            let found: Vec<Uuid> = persons::Entity::find()
                .select_only()
                .column(persons::Column::Id)
                .filter(persons::Column::Id.is_in(chunk.iter().copied()))
                .filter(scope::persons(scope))
                .into_tuple::<Uuid>()
                .all(&self.db.exec())
                .await
                .db()?;
            out.extend(found);
        }
        Ok(out)
    }

    async fn upsert_results(
        &self,
        ctx: &Ctx,
        campaign_id: Uuid,
        results: Vec<NewResult>,
        dry_run: bool,
    ) -> DomainResult<RecordSummary> {
        let txn = self.db.begin_write().await?;
        let person_ids: Vec<Uuid> = results.iter().map(|r| r.person_id).collect::<HashSet<_>>().into_iter().collect();
        let mut existing: HashMap<(Uuid, Uuid), dr::Model> = HashMap::new();
        for chunk in person_ids.chunks(500) {
            let rows = dr::Entity::find()
                .filter(dr::Column::CampaignId.eq(campaign_id))
                .filter(dr::Column::PersonId.is_in(chunk.iter().copied()))
                .all(&txn)
                .await
                .db()?;
            existing.extend(rows.into_iter().map(|m| ((m.person_id, m.competency_id), m)));
        }
        let where_ = if dry_run { HashMap::new() } else { places(&txn, &person_ids).await? };
        let mut summary = RecordSummary { dry_run, ..Default::default() };
        let now = Utc::now();
        for n in results {
            match existing.remove(&(n.person_id, n.competency_id)) {
                Some(cur)
                    if cur.score == n.score
                        && cur.level == n.level
                        && cur.assessed_on == n.assessed_on
                        && cur.deficit == n.deficit =>
                {
                    summary.unchanged += 1;
                }
                Some(cur) => {
                    summary.updated += 1;
                    if dry_run {
                        continue;
                    }
                    let version = cur.version;
                    let mut am: dr::ActiveModel = cur.into();
                    am.score = Set(n.score);
                    am.level = Set(n.level.clone());
                    am.assessed_on = Set(n.assessed_on);
                    am.deficit = Set(n.deficit);
                    am.updated_at = Set(now);
                    am.version = Set(version + 1);
                    let m = dr::Entity::update(am).exec(&txn).await.db()?;
                    let r = result(m);
                    let ch = result_change(&r, ChangeKind::Updated, "update", where_.get(&r.person_id));
                    journal::record(&txn, Some(ctx), ch).await?;
                }
                None => {
                    summary.created += 1;
                    if dry_run {
                        continue;
                    }
                    let am = dr::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        campaign_id: Set(campaign_id),
                        person_id: Set(n.person_id),
                        competency_id: Set(n.competency_id),
                        score: Set(n.score),
                        level: Set(n.level.clone()),
                        assessed_on: Set(n.assessed_on),
                        deficit: Set(n.deficit),
                        created_at: Set(now),
                        updated_at: Set(now),
                        version: Set(1),
                    };
                    let r = result(dr::Entity::insert(am).exec_with_returning(&txn).await.db()?);
                    let ch = result_change(&r, ChangeKind::Created, "create", where_.get(&r.person_id));
                    journal::record(&txn, Some(ctx), ch).await?;
                }
            }
        }
        if dry_run {
            txn.rollback().await.db()?;
        } else {
            txn.commit().await.db()?;
        }
        Ok(summary)
    }

    async fn list_results(
        &self,
        scope: &Scope,
        f: &ResultFilter,
        page: PageRequest,
    ) -> DomainResult<Page<DiagnosticResult>> {
        let mut cond = Condition::all();
        if *scope != Scope::All {
            cond = cond.add(dr::Column::PersonId.in_subquery(persons_in(scope)));
        }
        if let Some(c) = f.campaign_id {
            cond = cond.add(dr::Column::CampaignId.eq(c));
        }
        if let Some(p) = f.person_id {
            cond = cond.add(dr::Column::PersonId.eq(p));
        }
        if let Some(c) = f.competency_id {
            cond = cond.add(dr::Column::CompetencyId.eq(c));
        }
        if let Some(d) = f.deficit {
            cond = cond.add(dr::Column::Deficit.eq(d));
        }
        if let Some(after) = page.after {
            cond = cond.add(dr::Column::Id.gt(after));
        }
        let rows = dr::Entity::find()
            .filter(cond)
            .order_by_asc(dr::Column::Id)
            .limit(page.limit + 1)
            .all(&self.db.exec())
            .await
            .db()?;
        Ok(Page::from_probe(rows.into_iter().map(result).collect(), page.limit, |r| r.id))
    }

    async fn person_results(&self, person_id: Uuid) -> DomainResult<Vec<DiagnosticResult>> {
        Ok(dr::Entity::find()
            .filter(dr::Column::PersonId.eq(person_id))
            .order_by_asc(dr::Column::Id)
            .all(&self.db.exec())
            .await
            .db()?
            .into_iter()
            .map(result)
            .collect())
    }

    async fn mentors_at_level(&self, near: Uuid, competency_ids: &[Uuid]) -> DomainResult<Vec<MentorCandidate>> {
        let conn = &self.db.exec();
        if competency_ids.is_empty() {
            return Ok(Vec::new());
        }
        let Some(me) = persons::Entity::find_by_id(near).one(conn).await.db()? else {
            return Ok(Vec::new());
        };
        let Some(org) = organizations::Entity::find_by_id(me.organization_id).one(conn).await.db()? else {
            return Ok(Vec::new());
        };
        let orgs_near = match &org.municipality_code {
            Some(m) => Query::select()
                .column(organizations::Column::Id)
                .from(organizations::Entity)
                .and_where(organizations::Column::RegionCode.eq(org.region_code.as_str()))
                .and_where(organizations::Column::MunicipalityCode.eq(m.as_str()))
                .to_owned(),
            None => Query::select()
                .column(organizations::Column::Id)
                .from(organizations::Entity)
                .and_where(organizations::Column::Id.eq(org.id))
                .to_owned(),
        };
        let mentors = persons::Entity::find()
            .filter(persons::Column::Id.ne(near))
            .filter(persons::Column::OrganizationId.in_subquery(orgs_near))
            .filter(
                persons::Column::Id.in_subquery(
                    Query::select()
                        .column(person_roles::Column::PersonId)
                        .from(person_roles::Entity)
                        .and_where(person_roles::Column::Role.eq("mentor"))
                        .to_owned(),
                ),
            )
            .order_by_asc(persons::Column::Id)
            .limit(200)
            .all(conn)
            .await
            .db()?;
        if mentors.is_empty() {
            return Ok(Vec::new());
        }
        let results = dr::Entity::find()
            .filter(dr::Column::PersonId.is_in(mentors.iter().map(|m| m.id)))
            .filter(dr::Column::CompetencyId.is_in(competency_ids.iter().copied()))
            .all(conn)
            .await
            .db()?;
        let mut latest: HashMap<(Uuid, Uuid), dr::Model> = HashMap::new();
        for r in results {
            let key = (r.person_id, r.competency_id);
            let newer = latest
                .get(&key)
                .is_none_or(|l| (r.assessed_on, r.updated_at, r.id) > (l.assessed_on, l.updated_at, l.id));
            if newer {
                latest.insert(key, r);
            }
        }
        Ok(mentors
            .into_iter()
            .filter_map(|m| {
                let mut comps = Vec::new();
                let mut ids = Vec::new();
                for c in competency_ids {
                    if let Some(r) = latest.get(&(m.id, *c)).filter(|r| !r.deficit) {
                        comps.push(*c);
                        ids.push(r.id);
                    }
                }
                let name = [Some(m.surname.as_str()), Some(m.first_name.as_str()), m.patronymic.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                (!comps.is_empty()).then_some(MentorCandidate {
                    person_id: m.id,
                    full_name: name,
                    organization_id: m.organization_id,
                    competency_ids: comps,
                    result_ids: ids,
                })
            })
            .collect())
    }

    async fn analytics_rows(
        &self,
        scope: &Scope,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        group_by: GroupBy,
    ) -> DomainResult<Vec<AnalyticsRow>> {
        let mut cond = Condition::all();
        if *scope != Scope::All {
            cond = cond.add(dr::Column::PersonId.in_subquery(persons_in(scope)));
        }
        if let Some(f) = from {
            cond = cond.add(dr::Column::AssessedOn.gte(f));
        }
        if let Some(t) = to {
            cond = cond.add(dr::Column::AssessedOn.lte(t));
        }
        let rows = dr::Entity::find().filter(cond).all(&self.db.exec()).await.db()?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.person_id).collect::<HashSet<_>>().into_iter().collect();
        let places = places(&self.db.exec(), &ids).await?;
        let subjects = if group_by == GroupBy::Subject {
            crate::repositories::persons::subjects_of(&self.db.exec(), &ids).await?
        } else {
            HashMap::new()
        };
        let groups = |person: Uuid| -> Vec<(Option<String>, Option<String>)> {
            let place = places.get(&person);
            match (group_by, place) {
                (GroupBy::Municipality, Some(p)) => vec![(p.2.clone(), p.3.clone())],
                (GroupBy::Organization, Some(p)) => vec![(Some(p.0.to_string()), Some(p.4.clone()))],
                (GroupBy::Subject, _) => match subjects.get(&person) {
                    Some(list) if !list.is_empty() => list.iter().map(|s| (Some(s.clone()), Some(s.clone()))).collect(),
                    _ => vec![(None, None)],
                },
                (_, None) => vec![(None, None)],
            }
        };
        Ok(rows
            .into_iter()
            .flat_map(|r| {
                let place = places.get(&r.person_id);
                let (organization_id, municipality_code) = (place.map(|p| p.0), place.and_then(|p| p.2.clone()));
                groups(r.person_id).into_iter().map(move |(group_key, group_name)| AnalyticsRow {
                    person_id: r.person_id,
                    competency_id: r.competency_id,
                    assessed_on: r.assessed_on,
                    updated_at: r.updated_at,
                    deficit: r.deficit,
                    group_key,
                    group_name,
                    organization_id,
                    municipality_code: municipality_code.clone(),
                })
            })
            .collect())
    }

    async fn campaign_rows(
        &self,
        campaign_id: Uuid,
        region_code: Option<&str>,
        municipality_code: Option<&str>,
    ) -> DomainResult<Vec<AnalyticsRow>> {
        let rows = dr::Entity::find().filter(dr::Column::CampaignId.eq(campaign_id)).all(&self.db.exec()).await.db()?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.person_id).collect::<HashSet<_>>().into_iter().collect();
        let places = places(&self.db.exec(), &ids).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let place = places.get(&r.person_id)?;
                let inside = region_code.is_none_or(|c| place.1 == c)
                    && municipality_code.is_none_or(|c| place.2.as_deref() == Some(c));
                inside.then(|| AnalyticsRow {
                    person_id: r.person_id,
                    competency_id: r.competency_id,
                    assessed_on: r.assessed_on,
                    updated_at: r.updated_at,
                    deficit: r.deficit,
                    group_key: place.2.clone(),
                    group_name: place.3.clone(),
                    organization_id: Some(place.0),
                    municipality_code: place.2.clone(),
                })
            })
            .collect())
    }
}
