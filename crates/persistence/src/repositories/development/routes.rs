//! Individual educational routes and their evidence on sea-orm. A route is visible to its
//! person, to its tutor, and to whoever sees the person.

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use rsnms_domain::{
    DomainError, DomainResult,
    auth::{Ctx, Scope},
    changes::{Change, ChangeKind, ChangeScope, Party},
    development::iom::{
        Evidence, EvidenceStatus, ReportingForm, Route, RouteFilter, RouteRepository, RouteStatus, RouteVersion,
    },
    page::{Page, PageRequest},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Query,
};
use uuid::Uuid;

use super::{diagnostics::persons_in, from_json, parse, to_json};
use crate::{
    Database,
    entities::{
        development::{individual_routes as r, offerings, route_evidence as ev, route_versions as rv},
        organizations, persons,
    },
    error::DbResultExt,
    journal,
    keyset::{self, KeyColumn, KeyType, unknown_sort},
    versioned::{self, Versioned},
};

/// Routes repository.
#[derive(Debug, Clone)]
pub struct RouteStore {
    pub(crate) db: Database,
}

/// Routes visible in the scope: a person sees the routes they follow or tutor; others the
/// routes of persons they see.
fn visible(scope: &Scope) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::Person { person_id, .. } => {
            Condition::any().add(r::Column::PersonId.eq(*person_id)).add(r::Column::TutorId.eq(*person_id))
        }
        other => Condition::all().add(r::Column::PersonId.in_subquery(persons_in(other))),
    }
}

fn to_domain(m: r::Model) -> DomainResult<Route> {
    Ok(Route {
        id: m.id,
        person_id: m.person_id,
        tutor_id: m.tutor_id,
        period_start: m.period_start,
        period_end: m.period_end,
        status: parse(&m.status, RouteStatus::parse)?,
        diagnostic_ids: from_json(m.diagnostic_ids)?,
        deficit_competency_ids: from_json(m.deficit_competency_ids)?,
        steps: from_json(m.steps)?,
        transfer: from_json(m.transfer)?,
        repeat_diagnostic_on: m.repeat_diagnostic_on,
        repeat_campaign_id: m.repeat_campaign_id,
        approved_by: m.approved_by,
        approved_at: m.approved_at,
        started_at: m.started_at,
        completed_at: m.completed_at,
        cancelled_at: m.cancelled_at,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    })
}

fn to_model(x: &Route) -> DomainResult<r::ActiveModel> {
    Ok(r::ActiveModel {
        id: Set(x.id),
        person_id: Set(x.person_id),
        tutor_id: Set(x.tutor_id),
        period_start: Set(x.period_start),
        period_end: Set(x.period_end),
        status: Set(x.status.as_str().to_owned()),
        diagnostic_ids: Set(to_json(&x.diagnostic_ids)?),
        deficit_competency_ids: Set(to_json(&x.deficit_competency_ids)?),
        steps: Set(to_json(&x.steps)?),
        transfer: Set(to_json(&x.transfer)?),
        repeat_diagnostic_on: Set(x.repeat_diagnostic_on),
        repeat_campaign_id: Set(x.repeat_campaign_id),
        approved_by: Set(x.approved_by.clone()),
        approved_at: Set(x.approved_at),
        started_at: Set(x.started_at),
        completed_at: Set(x.completed_at),
        cancelled_at: Set(x.cancelled_at),
        created_at: Set(x.created_at),
        updated_at: Set(x.updated_at),
        version: Set(x.version),
    })
}

/// Stores the version a change produced, in the change's transaction.
async fn record_version<C: ConnectionTrait>(conn: &C, ctx: &Ctx, x: &Route, action: &str) -> DomainResult<()> {
    let snapshot = serde_json::json!({
        "tutor_id": x.tutor_id, "period_start": x.period_start, "period_end": x.period_end,
        "deficit_competency_ids": x.deficit_competency_ids, "steps": x.steps,
        "approved_by": x.approved_by, "approved_at": x.approved_at,
    });
    rv::Entity::insert(rv::ActiveModel {
        id: Set(Uuid::now_v7()),
        route_id: Set(x.id),
        version: Set(x.version),
        action: Set(action.to_owned()),
        status: Set(x.status.as_str().to_owned()),
        snapshot: Set(snapshot),
        recorded_by: Set(ctx.actor.subject.clone()),
        recorded_at: Set(x.updated_at),
    })
    .exec_without_returning(conn)
    .await
    .db()?;
    Ok(())
}

/// The plan part of a stored version.
#[derive(serde::Deserialize)]
struct Snapshot {
    tutor_id: Uuid,
    period_start: NaiveDate,
    period_end: NaiveDate,
    deficit_competency_ids: Vec<Uuid>,
    steps: Vec<rsnms_domain::development::iom::Step>,
    approved_by: Option<String>,
    approved_at: Option<chrono::DateTime<Utc>>,
}

fn version_to_domain(m: rv::Model) -> DomainResult<RouteVersion> {
    let s: Snapshot = from_json(m.snapshot)?;
    Ok(RouteVersion {
        version: m.version,
        action: m.action,
        recorded_by: m.recorded_by,
        recorded_at: m.recorded_at,
        status: parse(&m.status, RouteStatus::parse)?,
        tutor_id: s.tutor_id,
        period_start: s.period_start,
        period_end: s.period_end,
        deficit_competency_ids: s.deficit_competency_ids,
        steps: s.steps,
        approved_by: s.approved_by,
        approved_at: s.approved_at,
    })
}

/// The audience of a route's events: the learner (and the organisation, municipality and region
/// above them) and, as the second party, the tutor.
async fn route_scope<C: ConnectionTrait>(conn: &C, person_id: Uuid, tutor_id: Uuid) -> DomainResult<ChangeScope> {
    let p = persons::Entity::find_by_id(person_id).one(conn).await.db()?;
    let org = match &p {
        Some(p) => organizations::Entity::find_by_id(p.organization_id).one(conn).await.db()?,
        None => None,
    };
    Ok(ChangeScope {
        region_code: org.as_ref().map(|o| o.region_code.clone()),
        municipality_code: org.as_ref().and_then(|o| o.municipality_code.clone()),
        organization_id: org.map(|o| o.id),
        person_id: Some(person_id),
        counterpart: Some(Party { person_id: Some(tutor_id), ..Party::default() }),
    })
}

async fn change<C: ConnectionTrait>(
    conn: &C,
    x: &Route,
    kind: ChangeKind,
    action: &'static str,
) -> DomainResult<Change> {
    Ok(Change {
        resource_type: "route",
        resource_id: x.id,
        kind,
        action,
        payload: serde_json::json!({
            "id": x.id, "person_id": x.person_id, "tutor_id": x.tutor_id, "period_start": x.period_start,
            "period_end": x.period_end, "status": x.status, "deficit_competency_ids": x.deficit_competency_ids,
            "steps": to_json(&x.steps)?, "progress": x.progress(), "version": x.version,
        }),
        personal_data: false,
        scope: route_scope(conn, x.person_id, x.tutor_id).await?,
    })
}

fn evidence(m: ev::Model) -> DomainResult<Evidence> {
    Ok(Evidence {
        id: m.id,
        route_id: m.route_id,
        step_id: m.step_id,
        kind: parse(&m.kind, ReportingForm::parse)?,
        description: m.description,
        url: m.url,
        submitted_by: m.submitted_by,
        submitted_at: m.submitted_at,
        status: parse(&m.status, EvidenceStatus::parse)?,
        reviewed_by: m.reviewed_by,
        reviewed_at: m.reviewed_at,
        review_comment: m.review_comment,
        rating: m.rating,
    })
}

async fn evidence_change<C: ConnectionTrait>(
    conn: &C,
    e: &Evidence,
    kind: ChangeKind,
    action: &'static str,
) -> DomainResult<Change> {
    let route = r::Entity::find_by_id(e.route_id).one(conn).await.db()?.ok_or(DomainError::NotFound)?;
    Ok(Change {
        resource_type: "route_evidence",
        resource_id: e.id,
        kind,
        action,
        payload: serde_json::json!({
            "id": e.id, "route_id": e.route_id, "step_id": e.step_id, "kind": e.kind, "status": e.status,
        }),
        personal_data: false,
        scope: route_scope(conn, route.person_id, route.tutor_id).await?,
    })
}

#[async_trait]
impl RouteRepository for RouteStore {
    async fn get(&self, scope: &Scope, id: Uuid) -> DomainResult<Route> {
        to_domain(
            r::Entity::find_by_id(id)
                .filter(visible(scope))
                .one(&self.db.exec())
                .await
                .db()?
                .ok_or(DomainError::NotFound)?,
        )
    }

    async fn list(&self, scope: &Scope, f: &RouteFilter, page: PageRequest) -> DomainResult<Page<Route>> {
        let mut cond = Condition::all().add(visible(scope));
        if let Some(p) = f.person_id {
            cond = cond.add(r::Column::PersonId.eq(p));
        }
        if let Some(t) = f.tutor_id {
            cond = cond.add(r::Column::TutorId.eq(t));
        }
        if let Some(s) = f.status {
            cond = cond.add(r::Column::Status.eq(s.as_str()));
        }
        if let Some((from, to)) = f.overlaps {
            cond = cond.add(r::Column::PeriodStart.lte(to)).add(r::Column::PeriodEnd.gte(from));
        }
        if f.region_code.is_some() || f.municipality_code.is_some() {
            let mut at = Condition::all();
            if let Some(code) = &f.region_code {
                at = at.add(organizations::Column::RegionCode.eq(code.as_str()));
            }
            if let Some(code) = &f.municipality_code {
                at = at.add(organizations::Column::MunicipalityCode.eq(code.as_str()));
            }
            let orgs =
                Query::select().column(organizations::Column::Id).from(organizations::Entity).cond_where(at).to_owned();
            let people = Query::select()
                .column(persons::Column::Id)
                .from(persons::Entity)
                .and_where(persons::Column::OrganizationId.in_subquery(orgs))
                .to_owned();
            cond = cond.add(r::Column::PersonId.in_subquery(people));
        }
        let key = page.sort.map(|s| s.key);
        let keys: &[KeyColumn<r::Column>] = match key {
            None => &[],
            Some("status") => &[KeyColumn::new(r::Column::Status, KeyType::Text)],
            Some("updated_at") => &[KeyColumn::new(r::Column::UpdatedAt, KeyType::Time)],
            Some(_) => return Err(unknown_sort()),
        };
        let found = keyset::page(
            &self.db,
            r::Entity::find().filter(cond),
            r::Column::Id,
            keys,
            &page,
            |m| m.id,
            |m| vec![if key == Some("status") { keyset::text(&m.status) } else { keyset::time(Some(m.updated_at)) }],
        )
        .await?;
        found.try_map(to_domain)
    }

    async fn overlapping(
        &self,
        person_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
        except: Option<Uuid>,
    ) -> DomainResult<bool> {
        let mut q = r::Entity::find()
            .filter(r::Column::PersonId.eq(person_id))
            .filter(r::Column::Status.ne(RouteStatus::Cancelled.as_str()))
            .filter(r::Column::PeriodStart.lte(to))
            .filter(r::Column::PeriodEnd.gte(from));
        if let Some(x) = except {
            q = q.filter(r::Column::Id.ne(x));
        }
        Ok(q.one(&self.db.exec()).await.db()?.is_some())
    }

    async fn create(&self, ctx: &Ctx, route: Route) -> DomainResult<Route> {
        let txn = self.db.begin_write().await?;
        let x = to_domain(r::Entity::insert(to_model(&route)?).exec_with_returning(&txn).await.db()?)?;
        record_version(&txn, ctx, &x, "create").await?;
        let ch = change(&txn, &x, ChangeKind::Created, "create").await?;
        journal::record(&txn, Some(ctx), ch).await?;
        txn.commit().await.db()?;
        Ok(x)
    }

    async fn save(&self, ctx: &Ctx, route: Route, expected_version: i64, action: &'static str) -> DomainResult<Route> {
        let txn = self.db.begin_write().await?;
        let m = versioned::save::<r::Entity, _, _>(
            &txn,
            Versioned { id: r::Column::Id, version: r::Column::Version, updated_at: r::Column::UpdatedAt },
            to_model(&route)?,
            route.id,
            expected_version,
        )
        .await?;
        let x = to_domain(m)?;
        record_version(&txn, ctx, &x, action).await?;
        let ch = change(&txn, &x, ChangeKind::Updated, action).await?;
        journal::record(&txn, Some(ctx), ch).await?;
        txn.commit().await.db()?;
        Ok(x)
    }

    async fn add_evidence(&self, ctx: &Ctx, e: Evidence) -> DomainResult<Evidence> {
        let txn = self.db.begin_write().await?;
        let am = ev::ActiveModel {
            id: Set(e.id),
            route_id: Set(e.route_id),
            step_id: Set(e.step_id),
            kind: Set(e.kind.as_str().to_owned()),
            description: Set(e.description.clone()),
            url: Set(e.url.clone()),
            submitted_by: Set(e.submitted_by.clone()),
            submitted_at: Set(e.submitted_at),
            status: Set(e.status.as_str().to_owned()),
            reviewed_by: Set(None),
            reviewed_at: Set(None),
            review_comment: Set(None),
            rating: Set(None),
        };
        let x = evidence(ev::Entity::insert(am).exec_with_returning(&txn).await.db()?)?;
        let ch = evidence_change(&txn, &x, ChangeKind::Created, "create").await?;
        journal::record(&txn, Some(ctx), ch).await?;
        txn.commit().await.db()?;
        Ok(x)
    }

    async fn get_evidence(&self, route_id: Uuid, id: Uuid) -> DomainResult<Evidence> {
        evidence(
            ev::Entity::find_by_id(id)
                .filter(ev::Column::RouteId.eq(route_id))
                .one(&self.db.exec())
                .await
                .db()?
                .ok_or(DomainError::NotFound)?,
        )
    }

    async fn list_evidence(&self, route_id: Uuid) -> DomainResult<Vec<Evidence>> {
        ev::Entity::find()
            .filter(ev::Column::RouteId.eq(route_id))
            .order_by_asc(ev::Column::Id)
            .limit(10_000)
            .all(&self.db.exec())
            .await
            .db()?
            .into_iter()
            .map(evidence)
            .collect()
    }

    async fn versions(&self, route_id: Uuid) -> DomainResult<Vec<RouteVersion>> {
        rv::Entity::find()
            .filter(rv::Column::RouteId.eq(route_id))
            .order_by_asc(rv::Column::Version)
            .limit(10_000)
            .all(&self.db.exec())
            .await
            .db()?
            .into_iter()
            .map(version_to_domain)
            .collect()
    }

    async fn tutor_loads(&self, tutor_ids: &[Uuid]) -> DomainResult<std::collections::HashMap<Uuid, u64>> {
        let live = [RouteStatus::Draft, RouteStatus::InReview, RouteStatus::Approved, RouteStatus::InProgress];
        let mut out = std::collections::HashMap::new();
        for chunk in tutor_ids.chunks(500) {
            let rows: Vec<(Uuid, i64)> = r::Entity::find()
                .select_only()
                .column(r::Column::TutorId)
                .column_as(sea_orm::sea_query::Expr::cust("COUNT(*)"), "n")
                .filter(r::Column::TutorId.is_in(chunk.iter().copied()))
                .filter(r::Column::Status.is_in(live.iter().map(|s| s.as_str())))
                .group_by(r::Column::TutorId)
                .into_tuple()
                .all(&self.db.exec())
                .await
                .db()?;
            out.extend(rows.into_iter().map(|(t, n)| (t, u64::try_from(n).unwrap_or(0))));
        }
        Ok(out)
    }

    async fn placements(&self, site_id: Uuid, except: Uuid) -> DomainResult<i64> {
        // The site's row is locked for the rest of the transaction (inside a unit of work: until
        // the route is stored), so that placements at the site are counted one after the other.
        offerings::Entity::find_by_id(site_id).lock_exclusive().one(&self.db.exec()).await.db()?;
        // Steps are JSON on both engines: read the steps of the other live routes and count the
        // placements at the site.
        let rows: Vec<serde_json::Value> = r::Entity::find()
            .select_only()
            .column(r::Column::Steps)
            .filter(r::Column::Status.ne(RouteStatus::Cancelled.as_str()))
            .filter(r::Column::Id.ne(except))
            .into_tuple()
            .all(&self.db.exec())
            .await
            .db()?;
        let mut n = 0_i64;
        for steps in rows {
            let steps: Vec<rsnms_domain::development::iom::Step> = from_json(steps)?;
            n += i64::try_from(steps.iter().filter(|s| s.internship_site_id == Some(site_id)).count()).unwrap_or(0);
        }
        Ok(n)
    }

    async fn review_evidence(&self, ctx: &Ctx, e: Evidence) -> DomainResult<Evidence> {
        let txn = self.db.begin_write().await?;
        let res = ev::Entity::update_many()
            .col_expr(ev::Column::Status, sea_orm::sea_query::Expr::value(e.status.as_str()))
            .col_expr(ev::Column::ReviewedBy, sea_orm::sea_query::Expr::value(e.reviewed_by.clone()))
            .col_expr(ev::Column::ReviewedAt, sea_orm::sea_query::Expr::value(e.reviewed_at))
            .col_expr(ev::Column::ReviewComment, sea_orm::sea_query::Expr::value(e.review_comment.clone()))
            .col_expr(ev::Column::Rating, sea_orm::sea_query::Expr::value(e.rating))
            .filter(ev::Column::Id.eq(e.id))
            .filter(ev::Column::Status.eq(EvidenceStatus::Submitted.as_str()))
            .exec(&txn)
            .await
            .db()?;
        if res.rows_affected == 0 {
            return Err(DomainError::Conflict {
                field: Some("status".into()),
                message: rsnms_domain::Msg::new(
                    "Решение по материалу уже принято",
                    "The evidence has already been reviewed",
                ),
                allowed: Vec::new(),
            });
        }
        let ch = evidence_change(&txn, &e, ChangeKind::Updated, "review").await?;
        journal::record(&txn, Some(ctx), ch).await?;
        txn.commit().await.db()?;
        Ok(e)
    }
}
