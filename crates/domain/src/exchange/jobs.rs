//! Asynchronous imports (import jobs): a body stored in the database, run later by a worker of
//! any instance through the same import engine, with the submitter's identity and options.
//!
//! A job is `queued` once its body is stored whole; a worker leases it (`running`, with a lease
//! that expires so that a job whose instance died is taken again), reports progress, and ends
//! it `succeeded` or `failed` (with the problem). What the import commits and the job's
//! checkpoint commit in one transaction, so a job taken again never applies a record twice.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::imports::{ImportError, ImportOptions, ImportSummary};
use crate::{
    DomainError, DomainResult, Msg,
    auth::{Actor, Ctx},
    page::{Page, PageRequest},
};

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportJobStatus {
    /// Stored whole, waiting for a worker.
    Queued,
    /// A worker runs it.
    Running,
    /// Ran to its end and wrote what it should (or was a dry run).
    Succeeded,
    /// Rejected (an all-or-nothing import with a failing record) or stopped by an error.
    Failed,
    /// Cancelled before a worker took it.
    Cancelled,
}

impl ImportJobStatus {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Queued, Self::Running, Self::Succeeded, Self::Failed, Self::Cancelled]
            .into_iter()
            .find(|v| v.as_str() == s)
    }

    /// Whether the job has ended.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Cancelled)
    }
}

/// Counts so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportProgress {
    /// Records read.
    pub received: u64,
    /// Records that created a resource.
    pub created: u64,
    /// Records that changed a resource.
    pub updated: u64,
    /// Records equal to the stored resource.
    pub unchanged: u64,
    /// Records rejected.
    pub rejected: u64,
}

impl ImportProgress {
    /// The counts of a summary.
    pub fn of(s: &ImportSummary) -> Self {
        Self {
            received: s.received,
            created: s.created,
            updated: s.updated,
            unchanged: s.unchanged,
            rejected: s.rejected,
        }
    }
}

/// What a run had committed: the summary up to the last commit, and whether that commit was
/// the last one (the import is complete and only the job's own end remains to be recorded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The summary of every record up to the commit.
    pub summary: ImportSummary,
    /// Whether the import had ended.
    pub last: bool,
}

/// Why a job failed, in both languages (rendered as problem+json in the reader's language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobProblem {
    /// The HTTP status the synchronous import would have answered.
    pub status: u16,
    /// Problem type slug (`import-rejected`, `bad-request`, …).
    pub kind: String,
    /// Title.
    pub title: Msg,
    /// Detail.
    pub detail: Msg,
    /// Failing fields (line 0: the whole body).
    pub errors: Vec<ImportError>,
}

/// An import job.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportJob {
    /// Id.
    pub id: Uuid,
    /// Who submitted it: the job runs as this actor and only they (and administrators) see it.
    pub owner: Actor,
    /// The id of the submitting request (written into the audit trail of every record).
    pub request_id: String,
    /// Dataset name.
    pub dataset: String,
    /// Options.
    pub options: ImportOptions,
    /// `ndjson` or `csv`.
    pub format: String,
    /// `utf-8` or `windows-1251`.
    pub charset: String,
    /// State.
    pub status: ImportJobStatus,
    /// Size of the stored body.
    pub body_bytes: u64,
    /// SHA-256 of the body (hex).
    pub body_sha256: String,
    /// Counts so far.
    pub progress: ImportProgress,
    /// The last commit of a run.
    pub checkpoint: Option<Checkpoint>,
    /// The final summary.
    pub summary: Option<ImportSummary>,
    /// Why it failed.
    pub problem: Option<JobProblem>,
    /// Runs begun (more than one when an instance died while running it).
    pub attempts: i32,
    /// Submitted at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// First run began at.
    pub started_at: Option<DateTime<Utc>>,
    /// Ended at.
    pub finished_at: Option<DateTime<Utc>>,
    /// Version (changes with every update, progress included).
    pub version: i64,
}

/// A job as submitted.
#[derive(Debug, Clone)]
pub struct NewImportJob {
    /// Dataset name.
    pub dataset: String,
    /// Options.
    pub options: ImportOptions,
    /// `ndjson` or `csv`.
    pub format: String,
    /// `utf-8` or `windows-1251`.
    pub charset: String,
}

/// Storage of jobs and their bodies.
#[async_trait]
pub trait ImportJobRepository: Send + Sync {
    /// Opens a job that receives its body (invisible until [`Self::enqueue`]).
    async fn open(&self, ctx: &Ctx, job: NewImportJob) -> DomainResult<Uuid>;
    /// Stores the next piece of a body (`seq` from 0).
    async fn append(&self, id: Uuid, seq: i32, data: Vec<u8>) -> DomainResult<()>;
    /// Queues a job whose body is stored whole; a run holding an `Idempotency-Key`
    /// (`ctx.idempotency`) marks it committed, with the job, in the same transaction.
    async fn enqueue(&self, ctx: &Ctx, id: Uuid, body_bytes: u64, body_sha256: &str) -> DomainResult<ImportJob>;
    /// Removes a job whose body could not be received, with its pieces.
    async fn discard(&self, id: Uuid) -> DomainResult<()>;
    /// Removes jobs left receiving (their instance died during the upload) for longer than this.
    async fn purge_abandoned(&self, older_than_hours: i64) -> DomainResult<u64>;
    /// A job visible to the actor (their own; administrators see all).
    async fn get(&self, actor: &Actor, id: Uuid) -> DomainResult<ImportJob>;
    /// Jobs visible to the actor, oldest first.
    async fn list(&self, actor: &Actor, page: PageRequest) -> DomainResult<Page<ImportJob>>;
    /// Cancels a queued job (and drops its body).
    async fn cancel(&self, ctx: &Ctx, id: Uuid, expected_version: i64) -> DomainResult<ImportJob>;
    /// Leases the oldest queued job, or a running one whose lease expired, for `lease_seconds`.
    async fn lease(&self, worker: &str, lease_seconds: i64) -> DomainResult<Option<ImportJob>>;
    /// A piece of a job's body, if stored.
    async fn chunk(&self, id: Uuid, seq: i32) -> DomainResult<Option<Vec<u8>>>;
    /// Whether progress can be written while an import holds its unit open (not on SQLite,
    /// whose one writer is the import itself: there progress is recorded with each commit).
    fn progress_while_running(&self) -> bool;
    /// Records progress and extends the lease; `false` when the worker no longer holds it.
    async fn heartbeat(
        &self,
        id: Uuid,
        worker: &str,
        progress: ImportProgress,
        lease_seconds: i64,
    ) -> DomainResult<bool>;
    /// Records a checkpoint (used inside the import's unit, so that it commits with the
    /// records); a conflict when the worker no longer holds the lease.
    async fn checkpoint(&self, id: Uuid, worker: &str, checkpoint: &Checkpoint, lease_seconds: i64)
    -> DomainResult<()>;
    /// Ends a job the worker holds and drops its body; `false` when it no longer holds it.
    async fn finish(
        &self,
        id: Uuid,
        worker: &str,
        status: ImportJobStatus,
        summary: Option<&ImportSummary>,
        problem: Option<&JobProblem>,
    ) -> DomainResult<bool>;
}

/// The conflict of a worker that lost its lease.
pub fn lease_lost() -> DomainError {
    DomainError::Conflict {
        field: None,
        message: Msg::new("Задание выполняется другим экземпляром", "Another instance runs the job"),
        allowed: Vec::new(),
    }
}

wire_enum! {
    /// An action on an import job: `cancel` (`DELETE /imports/jobs/{id}`).
    ImportJobAction {
        /// Cancel the queued job (отменить).
        Cancel = "cancel",
    }
}

/// The guard of every action on a job the caller sees (its own, or any for an administrator),
/// which the action calls and [`allowed_actions`] runs: only a queued job is cancelled (409).
pub fn check_action(job: &ImportJob, action: ImportJobAction) -> DomainResult<()> {
    match action {
        ImportJobAction::Cancel if job.status != ImportJobStatus::Queued => Err(DomainError::Conflict {
            field: None,
            message: Msg::new(
                format!("Отменить можно только задание в очереди; состояние: {}", job.status.as_str()),
                format!("Only a queued job can be cancelled; it is {}", job.status.as_str()),
            ),
            allowed: Vec::new(),
        }),
        ImportJobAction::Cancel => Ok(()),
    }
}

/// The actions the caller may take on a job it sees now (`allowed_actions` of its views).
pub fn allowed_actions(job: &ImportJob) -> Vec<ImportJobAction> {
    crate::actions::allowed(ImportJobAction::ALL, |a| check_action(job, a)).unwrap_or_default()
}

/// Reads a job (the submitter's, or any for an administrator).
pub async fn get_import_job(repo: &dyn ImportJobRepository, ctx: &Ctx, id: Uuid) -> DomainResult<ImportJob> {
    repo.get(&ctx.actor, id).await
}

/// Lists the caller's jobs (every job for an administrator).
pub async fn list_import_jobs(
    repo: &dyn ImportJobRepository,
    ctx: &Ctx,
    page: PageRequest,
) -> DomainResult<Page<ImportJob>> {
    repo.list(&ctx.actor, page).await
}

/// Cancels a queued job; a job already running or ended cannot be cancelled.
pub async fn cancel_import_job(
    repo: &dyn ImportJobRepository,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
) -> DomainResult<ImportJob> {
    let current = repo.get(&ctx.actor, id).await?;
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    check_action(&current, ImportJobAction::Cancel)?;
    repo.cancel(ctx, id, expected_version).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_only_ends_are_final() {
        for s in ["queued", "running", "succeeded", "failed", "cancelled"] {
            assert_eq!(ImportJobStatus::parse(s).map(ImportJobStatus::as_str), Some(s));
        }
        assert!(ImportJobStatus::parse("receiving").is_none());
        assert!(!ImportJobStatus::Running.is_final());
        assert!(ImportJobStatus::Failed.is_final());
    }
}
