//! The import worker: every instance leases queued import jobs (one at a time), streams each
//! job's stored body through the same import engine as `POST /api/v1/imports/{dataset}`, as the
//! submitter and with the submitter's options, and records progress, checkpoints and the end.
//!
//! Exactly once: every commit of the import carries the job's checkpoint (inside the same
//! transaction, conditional on the lease), so a job taken again after its instance died resumes
//! after the last committed record, or — when the import had committed whole — only records
//! the job's end.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use rsnms_domain::{
    DomainError,
    auth::Ctx,
    exchange::{
        ImportJob, ImportJobRepository, ImportJobStatus, ImportProgress, ImportSummary, Unit, UnitOfWork,
        jobs::{Checkpoint, JobProblem},
    },
};
use rsnms_http::{
    imports::{
        self, ImportFailure,
        engine::{self, Observer},
        reader::{Format, Lines, Records},
    },
    problem::ApiError,
    routes::{import_jobs::job_problem, imports::rejection},
};

/// How long a lease lasts; the worker extends it as it goes (with every commit, and about every
/// second where progress can be written beside a running import).
pub const LEASE_SECONDS: i64 = 60;
/// Runs begun before a job that keeps stopping its worker is given up.
pub const MAX_ATTEMPTS: i32 = 5;
/// How often progress is recorded while a unit is open (PostgreSQL).
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// The job's side of a run: progress, lease extension and checkpoints.
struct JobObserver {
    jobs: Arc<dyn ImportJobRepository>,
    id: uuid::Uuid,
    worker: String,
    last: Mutex<Instant>,
}

fn lease_lost() -> ImportFailure {
    ImportFailure::from(rsnms_domain::exchange::jobs::lease_lost())
}

#[async_trait::async_trait]
impl Observer for JobObserver {
    async fn progress(&self, summary: &ImportSummary) -> Result<(), ImportFailure> {
        if !self.jobs.progress_while_running() {
            return Ok(());
        }
        {
            let mut last = self.last.lock().map_err(|_| DomainError::internal("the progress clock is poisoned"))?;
            if last.elapsed() < PROGRESS_EVERY {
                return Ok(());
            }
            *last = Instant::now();
        }
        let held = self.jobs.heartbeat(self.id, &self.worker, ImportProgress::of(summary), LEASE_SECONDS).await?;
        if held { Ok(()) } else { Err(lease_lost()) }
    }

    async fn before_commit(&self, unit: &dyn Unit, summary: &ImportSummary, last: bool) -> Result<(), ImportFailure> {
        let checkpoint = Checkpoint { summary: summary.clone(), last };
        unit.import_jobs().checkpoint(self.id, &self.worker, &checkpoint, LEASE_SECONDS).await.map_err(|e| match e {
            DomainError::Conflict { .. } => lease_lost(),
            other => other.into(),
        })
    }
}

/// The stored body of a job as a stream of its pieces, read one at a time.
fn body(
    jobs: Arc<dyn ImportJobRepository>,
    id: uuid::Uuid,
) -> impl futures_util::Stream<Item = Result<actix_web::web::Bytes, DomainError>> + Unpin {
    Box::pin(futures_util::stream::unfold(Some(0), move |seq| {
        let jobs = jobs.clone();
        async move {
            let seq = seq?;
            match jobs.chunk(id, seq).await {
                Ok(Some(data)) => Some((Ok(actix_web::web::Bytes::from(data)), Some(seq + 1))),
                Ok(None) => None,
                Err(e) => Some((Err(e), None)),
            }
        }
    }))
}

fn problem(status: u16, kind: &str, en: &str, ru: &str) -> JobProblem {
    JobProblem {
        status,
        kind: kind.to_owned(),
        title: rsnms_domain::Msg::new("Загрузка не выполнена", "Import failed"),
        detail: rsnms_domain::Msg::new(ru, en),
        errors: Vec::new(),
    }
}

/// Runs a leased job to its end (or until the lease is lost or the store fails: then the job
/// stays leased and is taken again when the lease expires).
async fn run_job(
    units: &dyn UnitOfWork,
    jobs: &Arc<dyn ImportJobRepository>,
    worker: &str,
    job: ImportJob,
) -> anyhow::Result<()> {
    let finish = |status, summary: Option<ImportSummary>, problem: Option<JobProblem>| {
        let jobs = jobs.clone();
        async move {
            jobs.finish(job.id, worker, status, summary.as_ref(), problem.as_ref())
                .await
                .map_err(|e| anyhow::anyhow!("finish: {e}"))
        }
    };
    if let Some(Checkpoint { summary, last: true }) = &job.checkpoint {
        // The import committed whole before its worker stopped.
        finish(ImportJobStatus::Succeeded, Some(summary.clone()), None).await?;
        return Ok(());
    }
    if job.attempts > MAX_ATTEMPTS {
        let p = problem(
            500,
            "import-abandoned",
            &format!("The job stopped its worker {MAX_ATTEMPTS} times and was given up"),
            &format!("Задание прерывалось {MAX_ATTEMPTS} раз и было остановлено"),
        );
        finish(ImportJobStatus::Failed, job.checkpoint.clone().map(|c| c.summary), Some(p)).await?;
        return Ok(());
    }
    let format = Format::parse(&job.format);
    let encoding = encoding_rs::Encoding::for_label(job.charset.as_bytes());
    let (Ok(dataset), Some(format), Some(encoding)) = (imports::find(&job.dataset), format, encoding) else {
        let p = problem(
            422,
            "import-unreadable",
            "The job names a dataset, format or charset this server does not know",
            "Набор данных, формат или кодировка задания неизвестны серверу",
        );
        finish(ImportJobStatus::Failed, None, Some(p)).await?;
        return Ok(());
    };
    let lines = Lines::new(body(jobs.clone(), job.id), encoding, u64::MAX);
    let mut records = Records::for_dataset(lines, format, dataset);
    let ctx = Ctx { actor: job.owner.clone(), request_id: job.request_id.clone(), idempotency: None };
    let observer =
        JobObserver { jobs: jobs.clone(), id: job.id, worker: worker.to_owned(), last: Mutex::new(Instant::now()) };
    let start = job.checkpoint.clone().map(|c| c.summary).unwrap_or_default();
    let opts = job.options.clone();
    match engine::run_observed(units, dataset, &ctx, &opts, &mut records, &observer, start).await {
        Ok(summary) if summary.committed || opts.dry_run => {
            finish(ImportJobStatus::Succeeded, Some(summary), None).await?;
        }
        Ok(summary) => {
            let p = job_problem(&rejection(summary.rejected));
            finish(ImportJobStatus::Failed, Some(summary), Some(p)).await?;
        }
        // The store failed, or another worker holds the job: the lease decides who goes on.
        Err(e) if e.is_interruption() => {
            anyhow::bail!("import job {} interrupted: {e}", job.id);
        }
        // What the synchronous import would have answered with a problem (a line too long, a
        // malformed CSV header …).
        Err(e) => {
            finish(ImportJobStatus::Failed, None, Some(job_problem(&ApiError::from(e)))).await?;
        }
    }
    Ok(())
}

/// Leases and runs one job; whether there was one.
pub async fn import_round(
    units: &dyn UnitOfWork,
    jobs: &Arc<dyn ImportJobRepository>,
    worker: &str,
) -> anyhow::Result<bool> {
    let Some(job) = jobs.lease(worker, LEASE_SECONDS).await.map_err(|e| anyhow::anyhow!("lease: {e}"))? else {
        return Ok(false);
    };
    let id = job.id;
    tracing::info!(job = %id, dataset = %job.dataset, attempt = job.attempts, "import job started");
    run_job(units, jobs, worker, job).await?;
    tracing::info!(job = %id, "import job ended");
    Ok(true)
}

/// Spawns the import worker of this instance (and the removal of bodies whose upload was cut
/// off by a stopped instance, after a day).
pub fn spawn_import_worker(units: Arc<dyn UnitOfWork>, jobs: Arc<dyn ImportJobRepository>, poll_ms: u64) {
    let worker = format!("import-{}", uuid::Uuid::now_v7().simple());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(poll_ms));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut purged = Instant::now();
        loop {
            tick.tick().await;
            loop {
                match import_round(units.as_ref(), &jobs, &worker).await {
                    Ok(true) => continue,
                    Ok(false) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "import round failed");
                        break;
                    }
                }
            }
            if purged.elapsed() > Duration::from_secs(3600) {
                purged = Instant::now();
                match jobs.purge_abandoned(24).await {
                    Ok(n) if n > 0 => tracing::info!(purged = n, "abandoned import uploads removed"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "abandoned import uploads not removed"),
                }
            }
        }
    });
}
