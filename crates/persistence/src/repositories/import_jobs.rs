//! Import jobs on sea-orm: the body in `import_job_chunks` (any instance can run the job), leases
//! taken with one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)` inside a write
//! transaction (the lock clause is dropped on SQLite, whose writers are serialised), progress and
//! checkpoints written only by the worker that holds the lease.

use async_trait::async_trait;
use chrono::{Duration, Utc};
use rsnms_domain::{
    DomainError, DomainResult,
    auth::{Actor, Ctx, Role},
    exchange::{
        IdScheme, ImportMode, ImportOptions, ImportSummary, RefSchemes,
        jobs::{
            Checkpoint, ImportJob, ImportJobRepository, ImportJobStatus, ImportProgress, JobProblem, NewImportJob,
            lease_lost,
        },
    },
    page::{Page, PageRequest},
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func, LockBehavior, LockType, Query},
};
use uuid::Uuid;

use super::webhooks::principal;
use crate::{
    Database,
    entities::{import_job_chunks as c, import_jobs as j},
    error::DbResultExt,
    repositories::idempotency,
};

/// The resource type an `Idempotency-Key` names for a queued job (its item path is
/// `/api/v1/imports/jobs/{id}`).
const IMPORT_JOB: &str = "import_job";

/// Status of a job still receiving its body (never shown).
const RECEIVING: &str = "receiving";

/// Import jobs repository.
#[derive(Debug, Clone)]
pub struct ImportJobStore {
    pub(crate) db: Database,
}

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn signed(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn options_json(o: &ImportOptions) -> serde_json::Value {
    serde_json::json!({
        "dry_run": o.dry_run,
        "mode": o.mode.as_str(),
        "atomic": o.atomic,
        "id_scheme": o.id_scheme.as_str(),
        "org_id_scheme": o.ref_schemes.organization.as_str(),
        "person_id_scheme": o.ref_schemes.person.as_str(),
        "competency_id_scheme": o.ref_schemes.competency.as_str(),
        "line_results": o.line_results,
    })
}

fn options_of(v: &serde_json::Value) -> ImportOptions {
    let d = ImportOptions::default();
    ImportOptions {
        dry_run: v["dry_run"].as_bool().unwrap_or(d.dry_run),
        mode: v["mode"].as_str().and_then(ImportMode::parse).unwrap_or(d.mode),
        atomic: v["atomic"].as_bool().unwrap_or(d.atomic),
        id_scheme: v["id_scheme"].as_str().map_or(d.id_scheme, |s| IdScheme(s.to_owned())),
        ref_schemes: RefSchemes {
            organization: scheme(v, "org_id_scheme"),
            person: scheme(v, "person_id_scheme"),
            competency: scheme(v, "competency_id_scheme"),
        },
        line_results: v["line_results"].as_bool().unwrap_or(d.line_results),
    }
}

/// A stored reference scheme (`id` when the job predates reference schemes).
fn scheme(v: &serde_json::Value, name: &str) -> IdScheme {
    v[name].as_str().map_or_else(IdScheme::id, |s| IdScheme(s.to_owned()))
}

fn job(m: j::Model) -> DomainResult<ImportJob> {
    let unreadable = |what: &str| DomainError::internal(format!("import job {} has an unreadable {what}", m.id));
    Ok(ImportJob {
        owner: serde_json::from_value(m.owner.clone()).map_err(|_| unreadable("owner"))?,
        status: ImportJobStatus::parse(&m.status).ok_or_else(|| unreadable("status"))?,
        checkpoint: m
            .checkpoint
            .clone()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|_| unreadable("checkpoint"))?,
        summary: m.summary.clone().map(serde_json::from_value).transpose().map_err(|_| unreadable("summary"))?,
        problem: m.problem.clone().map(serde_json::from_value).transpose().map_err(|_| unreadable("problem"))?,
        options: options_of(&m.options),
        progress: ImportProgress {
            received: count(m.received),
            created: count(m.created),
            updated: count(m.updated),
            unchanged: count(m.unchanged),
            rejected: count(m.rejected),
        },
        body_bytes: count(m.body_bytes),
        id: m.id,
        request_id: m.request_id,
        dataset: m.dataset,
        format: m.format,
        charset: m.charset,
        body_sha256: m.body_sha256,
        attempts: m.attempts,
        created_at: m.created_at,
        updated_at: m.updated_at,
        started_at: m.started_at,
        finished_at: m.finished_at,
        version: m.version,
    })
}

/// Jobs an actor may see: their own (as the same principal), every one for an administrator;
/// never one still receiving its body.
fn visible(actor: &Actor) -> Condition {
    let c = Condition::all().add(j::Column::Status.ne(RECEIVING));
    if actor.role == Role::Admin { c } else { c.add(j::Column::OwnerSubject.eq(principal(actor))) }
}

/// Jobs a worker may lease now.
fn leasable(now: chrono::DateTime<Utc>) -> Condition {
    Condition::any().add(j::Column::Status.eq(ImportJobStatus::Queued.as_str())).add(
        Condition::all()
            .add(j::Column::Status.eq(ImportJobStatus::Running.as_str()))
            .add(j::Column::LeasedUntil.lt(now)),
    )
}

/// The progress columns of an update.
fn with_progress<E: EntityTrait<Column = j::Column>>(
    q: sea_orm::UpdateMany<E>,
    p: ImportProgress,
) -> sea_orm::UpdateMany<E> {
    q.col_expr(j::Column::Received, Expr::value(signed(p.received)))
        .col_expr(j::Column::Created, Expr::value(signed(p.created)))
        .col_expr(j::Column::Updated, Expr::value(signed(p.updated)))
        .col_expr(j::Column::Unchanged, Expr::value(signed(p.unchanged)))
        .col_expr(j::Column::Rejected, Expr::value(signed(p.rejected)))
}

fn held_by(id: Uuid, worker: &str) -> Condition {
    Condition::all()
        .add(j::Column::Id.eq(id))
        .add(j::Column::LeaseOwner.eq(worker.to_owned()))
        .add(j::Column::Status.eq(ImportJobStatus::Running.as_str()))
}

fn to_json<T: serde::Serialize>(v: &T) -> DomainResult<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| DomainError::internal_caused("cannot store an import job", e))
}

#[async_trait]
impl ImportJobRepository for ImportJobStore {
    async fn open(&self, ctx: &Ctx, new: NewImportJob) -> DomainResult<Uuid> {
        let now = Utc::now();
        let id = Uuid::now_v7();
        let am = j::ActiveModel {
            id: Set(id),
            owner_subject: Set(principal(&ctx.actor)),
            owner: Set(to_json(&ctx.actor)?),
            request_id: Set(ctx.request_id.chars().take(128).collect()),
            dataset: Set(new.dataset),
            options: Set(options_json(&new.options)),
            format: Set(new.format),
            charset: Set(new.charset),
            status: Set(RECEIVING.to_owned()),
            body_bytes: Set(0),
            body_sha256: Set(String::new()),
            received: Set(0),
            created: Set(0),
            updated: Set(0),
            unchanged: Set(0),
            rejected: Set(0),
            checkpoint: Set(None),
            summary: Set(None),
            problem: Set(None),
            attempts: Set(0),
            lease_owner: Set(None),
            leased_until: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            started_at: Set(None),
            finished_at: Set(None),
            version: Set(1),
        };
        j::Entity::insert(am).exec_without_returning(&self.db.exec()).await.db()?;
        Ok(id)
    }

    async fn append(&self, id: Uuid, seq: i32, data: Vec<u8>) -> DomainResult<()> {
        let am = c::ActiveModel { job_id: Set(id), seq: Set(seq), data: Set(data) };
        c::Entity::insert(am).exec_without_returning(&self.db.exec()).await.db()?;
        Ok(())
    }

    async fn enqueue(&self, ctx: &Ctx, id: Uuid, body_bytes: u64, body_sha256: &str) -> DomainResult<ImportJob> {
        // The job is not journaled; it fences the run's key itself, so a retry after a crash
        // finds the job (303) instead of queueing a second one.
        let txn = self.db.begin_write().await?;
        let m = j::Entity::update_many()
            .col_expr(j::Column::Status, Expr::value(ImportJobStatus::Queued.as_str()))
            .col_expr(j::Column::BodyBytes, Expr::value(signed(body_bytes)))
            .col_expr(j::Column::BodySha256, Expr::value(body_sha256.to_owned()))
            .col_expr(j::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(j::Column::Id.eq(id))
            .filter(j::Column::Status.eq(RECEIVING))
            .exec_with_returning(&txn)
            .await
            .db()?
            .into_iter()
            .next()
            .ok_or(DomainError::NotFound)?;
        if let Some(hold) = &ctx.idempotency {
            idempotency::fence(&txn, hold, IMPORT_JOB, id).await?;
        }
        txn.commit().await.db()?;
        job(m)
    }

    async fn discard(&self, id: Uuid) -> DomainResult<()> {
        let txn = self.db.begin_write().await?;
        c::Entity::delete_many().filter(c::Column::JobId.eq(id)).exec(&txn).await.db()?;
        j::Entity::delete_many()
            .filter(j::Column::Id.eq(id))
            .filter(j::Column::Status.eq(RECEIVING))
            .exec(&txn)
            .await
            .db()?;
        txn.commit().await.db()
    }

    async fn purge_abandoned(&self, older_than_hours: i64) -> DomainResult<u64> {
        let cutoff = Utc::now() - Duration::hours(older_than_hours);
        let stale = Condition::all().add(j::Column::Status.eq(RECEIVING)).add(j::Column::CreatedAt.lt(cutoff));
        let ids: Vec<Uuid> = j::Entity::find()
            .select_only()
            .column(j::Column::Id)
            .filter(stale)
            .into_tuple()
            .all(&self.db.exec())
            .await
            .db()?;
        for id in &ids {
            self.discard(*id).await?;
        }
        Ok(ids.len() as u64)
    }

    async fn get(&self, actor: &Actor, id: Uuid) -> DomainResult<ImportJob> {
        let m = j::Entity::find_by_id(id)
            .filter(visible(actor))
            .one(&self.db.exec())
            .await
            .db()?
            .ok_or(DomainError::NotFound)?;
        job(m)
    }

    async fn list(&self, actor: &Actor, page: PageRequest) -> DomainResult<Page<ImportJob>> {
        let mut cond = visible(actor);
        if let Some(after) = page.after {
            cond = cond.add(j::Column::Id.gt(after));
        }
        let rows = j::Entity::find()
            .filter(cond)
            .order_by_asc(j::Column::Id)
            .limit(page.limit + 1)
            .all(&self.db.exec())
            .await
            .db()?;
        let items = rows.into_iter().map(job).collect::<DomainResult<Vec<_>>>()?;
        Ok(Page::from_probe(items, page.limit, |j| j.id))
    }

    async fn cancel(&self, ctx: &Ctx, id: Uuid, expected_version: i64) -> DomainResult<ImportJob> {
        let txn = self.db.begin_write().await?;
        let now = Utc::now();
        let m = j::Entity::update_many()
            .col_expr(j::Column::Status, Expr::value(ImportJobStatus::Cancelled.as_str()))
            .col_expr(j::Column::FinishedAt, Expr::value(now))
            .col_expr(j::Column::UpdatedAt, Expr::value(now))
            .col_expr(j::Column::Version, Expr::value(expected_version + 1))
            .filter(visible(&ctx.actor))
            .filter(j::Column::Id.eq(id))
            .filter(j::Column::Version.eq(expected_version))
            .filter(j::Column::Status.eq(ImportJobStatus::Queued.as_str()))
            .exec_with_returning(&txn)
            .await
            .db()?
            .into_iter()
            .next()
            // Taken by a worker or changed since it was read.
            .ok_or(DomainError::PreconditionFailed)?;
        c::Entity::delete_many().filter(c::Column::JobId.eq(id)).exec(&txn).await.db()?;
        txn.commit().await.db()?;
        job(m)
    }

    async fn lease(&self, worker: &str, lease_seconds: i64) -> DomainResult<Option<ImportJob>> {
        // An idle round stays read-only (no write lock on SQLite).
        let any: Option<Uuid> = j::Entity::find()
            .select_only()
            .column(j::Column::Id)
            .filter(leasable(Utc::now()))
            .limit(1)
            .into_tuple()
            .one(&self.db.exec())
            .await
            .db()?;
        if any.is_none() {
            return Ok(None);
        }
        let txn = self.db.begin_write().await?;
        let now = Utc::now();
        let next = Query::select()
            .column(j::Column::Id)
            .from(j::Entity)
            .cond_where(leasable(now))
            .order_by(j::Column::Id, sea_orm::Order::Asc)
            .limit(1)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .to_owned();
        let leased = j::Entity::update_many()
            .col_expr(j::Column::Status, Expr::value(ImportJobStatus::Running.as_str()))
            .col_expr(j::Column::LeaseOwner, Expr::value(worker.to_owned()))
            .col_expr(j::Column::LeasedUntil, Expr::value(now + Duration::seconds(lease_seconds)))
            .col_expr(j::Column::Attempts, Expr::col(j::Column::Attempts).add(Expr::value(1)))
            .col_expr(
                j::Column::StartedAt,
                Expr::from(Func::coalesce([Expr::col(j::Column::StartedAt), Expr::value(now)])),
            )
            .col_expr(j::Column::UpdatedAt, Expr::value(now))
            .col_expr(j::Column::Version, Expr::col(j::Column::Version).add(Expr::value(1)))
            .filter(j::Column::Id.in_subquery(next))
            .exec_with_returning(&txn)
            .await
            .db()?;
        txn.commit().await.db()?;
        leased.into_iter().next().map(job).transpose()
    }

    async fn chunk(&self, id: Uuid, seq: i32) -> DomainResult<Option<Vec<u8>>> {
        let m = c::Entity::find_by_id((id, seq)).one(&self.db.exec()).await.db()?;
        Ok(m.map(|m| m.data))
    }

    fn progress_while_running(&self) -> bool {
        self.db.backend() != DatabaseBackend::Sqlite
    }

    async fn heartbeat(
        &self,
        id: Uuid,
        worker: &str,
        progress: ImportProgress,
        lease_seconds: i64,
    ) -> DomainResult<bool> {
        let now = Utc::now();
        let q = j::Entity::update_many()
            .col_expr(j::Column::LeasedUntil, Expr::value(now + Duration::seconds(lease_seconds)))
            .col_expr(j::Column::UpdatedAt, Expr::value(now))
            .col_expr(j::Column::Version, Expr::col(j::Column::Version).add(Expr::value(1)));
        let res = with_progress(q, progress).filter(held_by(id, worker)).exec(&self.db.exec()).await.db()?;
        Ok(res.rows_affected > 0)
    }

    async fn checkpoint(
        &self,
        id: Uuid,
        worker: &str,
        checkpoint: &Checkpoint,
        lease_seconds: i64,
    ) -> DomainResult<()> {
        let now = Utc::now();
        let q = j::Entity::update_many()
            .col_expr(j::Column::Checkpoint, Expr::value(to_json(checkpoint)?))
            .col_expr(j::Column::LeasedUntil, Expr::value(now + Duration::seconds(lease_seconds)))
            .col_expr(j::Column::UpdatedAt, Expr::value(now))
            .col_expr(j::Column::Version, Expr::col(j::Column::Version).add(Expr::value(1)));
        // Inside the import's unit when there is one: it commits with the records.
        let res = with_progress(q, ImportProgress::of(&checkpoint.summary))
            .filter(held_by(id, worker))
            .exec(&self.db.exec())
            .await
            .db()?;
        if res.rows_affected == 0 { Err(lease_lost()) } else { Ok(()) }
    }

    async fn finish(
        &self,
        id: Uuid,
        worker: &str,
        status: ImportJobStatus,
        summary: Option<&ImportSummary>,
        problem: Option<&JobProblem>,
    ) -> DomainResult<bool> {
        let now = Utc::now();
        let txn = self.db.begin_write().await?;
        let mut q = j::Entity::update_many()
            .col_expr(j::Column::Status, Expr::value(status.as_str()))
            .col_expr(j::Column::Summary, Expr::value(summary.map(to_json).transpose()?))
            .col_expr(j::Column::Problem, Expr::value(problem.map(to_json).transpose()?))
            .col_expr(j::Column::LeaseOwner, Expr::value(Option::<String>::None))
            .col_expr(j::Column::LeasedUntil, Expr::value(Option::<chrono::DateTime<Utc>>::None))
            .col_expr(j::Column::FinishedAt, Expr::value(now))
            .col_expr(j::Column::UpdatedAt, Expr::value(now))
            .col_expr(j::Column::Version, Expr::col(j::Column::Version).add(Expr::value(1)));
        if let Some(s) = summary {
            q = with_progress(q, ImportProgress::of(s));
        }
        let res = q.filter(held_by(id, worker)).exec(&txn).await.db()?;
        if res.rows_affected == 0 {
            txn.rollback().await.db()?;
            return Ok(false);
        }
        c::Entity::delete_many().filter(c::Column::JobId.eq(id)).exec(&txn).await.db()?;
        txn.commit().await.db()?;
        Ok(true)
    }
}
