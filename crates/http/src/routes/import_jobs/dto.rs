use chrono::{DateTime, Utc};
use rsnms_domain::exchange::{
    ImportError,
    jobs::{ImportJob, ImportJobAction, ImportJobStatus, JobProblem, allowed_actions},
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    problem::{ApiError, Lang, Problem, ProblemField},
    routes::imports::ImportSummaryView,
};

/// State of an import job: `queued → running → succeeded | failed`, or `cancelled` before it ran.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportJobState {
    /// The body is stored; waiting for a worker.
    Queued,
    /// A worker runs it.
    Running,
    /// Ran to its end: the records were written (or it was a dry run).
    Succeeded,
    /// An all-or-nothing import with a rejected record (nothing written), or stopped by an error;
    /// see `problem`.
    Failed,
    /// Cancelled before a worker took it.
    Cancelled,
}

impl From<ImportJobStatus> for ImportJobState {
    fn from(s: ImportJobStatus) -> Self {
        match s {
            ImportJobStatus::Queued => Self::Queued,
            ImportJobStatus::Running => Self::Running,
            ImportJobStatus::Succeeded => Self::Succeeded,
            ImportJobStatus::Failed => Self::Failed,
            ImportJobStatus::Cancelled => Self::Cancelled,
        }
    }
}

/// Counts so far (ход загрузки). Recorded at least with every committed batch of 2000 records
/// and about every second on PostgreSQL; equal to the summary's counts at the end.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportJobProgressView {
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

/// The options a job runs with (those of the submitting request).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportJobOptionsView {
    /// Validate and count, write nothing.
    pub dry_run: bool,
    /// `create` or `upsert`.
    pub mode: String,
    /// All-or-nothing, or keep the good records.
    pub atomic: bool,
    /// How records match existing ones (`id`, `inn`, `snils`).
    pub id_scheme: String,
    /// `ndjson` or `csv`.
    pub format: String,
    /// `utf-8` or `windows-1251`.
    pub charset: String,
    /// `counts` or `lines`: with `lines` the final summary lists every line's result and id
    /// (kept with the job, at most 10 000; stream a larger file synchronously with
    /// `Accept: application/x-ndjson`).
    pub results: String,
}

/// An asynchronous import (задание на загрузку данных).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportJobView {
    /// Id.
    pub id: Uuid,
    /// The dataset.
    pub dataset: String,
    /// State.
    pub status: ImportJobState,
    /// The actions the caller may take now (допустимые действия): `cancel` while queued.
    pub allowed_actions: Vec<ImportJobAction>,
    /// Options.
    pub options: ImportJobOptionsView,
    /// Size of the stored body in bytes.
    pub body_bytes: u64,
    /// Counts so far.
    pub progress: ImportJobProgressView,
    /// The final summary (the same as a synchronous import answers), once the job has ended.
    pub summary: Option<ImportSummaryView>,
    /// Why the job failed, as the synchronous import would have answered it.
    pub problem: Option<Problem>,
    /// Runs begun (more than one when an instance stopped while running it).
    pub attempts: i32,
    /// Submitted at (UTC).
    pub created_at: DateTime<Utc>,
    /// Updated at (UTC).
    pub updated_at: DateTime<Utc>,
    /// First run began at (UTC).
    pub started_at: Option<DateTime<Utc>>,
    /// Ended at (UTC).
    pub finished_at: Option<DateTime<Utc>>,
    /// Version; the `ETag` is this number in quotes.
    pub version: i64,
}

fn problem_view(p: JobProblem, request_id: &str, lang: Lang) -> Problem {
    Problem {
        problem_type: format!("https://rsnms.ru/problems/{}", p.kind),
        title: lang.pick(&p.title).to_owned(),
        status: p.status,
        detail: lang.pick(&p.detail).to_owned(),
        request_id: Some(request_id.to_owned()),
        errors: p
            .errors
            .into_iter()
            .map(|e| ProblemField { field: e.field, code: e.code, message: lang.pick(&e.message).to_owned() })
            .collect(),
        allowed: None,
    }
}

impl ImportJobView {
    /// The view of a job in a language.
    pub fn new(j: ImportJob, lang: Lang) -> Self {
        let p = j.progress;
        Self {
            id: j.id,
            allowed_actions: allowed_actions(&j),
            status: j.status.into(),
            options: ImportJobOptionsView {
                dry_run: j.options.dry_run,
                mode: j.options.mode.as_str().to_owned(),
                atomic: j.options.atomic,
                id_scheme: j.options.id_scheme.as_str().to_owned(),
                format: j.format,
                charset: j.charset,
                results: if j.options.line_results { "lines" } else { "counts" }.to_owned(),
            },
            body_bytes: j.body_bytes,
            progress: ImportJobProgressView {
                received: p.received,
                created: p.created,
                updated: p.updated,
                unchanged: p.unchanged,
                rejected: p.rejected,
            },
            summary: j
                .summary
                .map(|s| ImportSummaryView::new(&j.dataset, s, j.options.dry_run, lang).with_options(&j.options)),
            problem: j.problem.map(|p| problem_view(p, &j.request_id, lang)),
            dataset: j.dataset,
            attempts: j.attempts,
            created_at: j.created_at,
            updated_at: j.updated_at,
            started_at: j.started_at,
            finished_at: j.finished_at,
            version: j.version,
        }
    }
}

/// The stored form of the problem a job failed with (both languages kept).
pub fn job_problem(e: &ApiError) -> JobProblem {
    JobProblem {
        status: e.status.as_u16(),
        kind: e.kind.to_owned(),
        title: e.title.clone(),
        detail: e.detail.clone(),
        errors: e.errors.iter().cloned().map(|f| ImportError::of(0, f)).collect(),
    }
}

crate::list_schema!(ImportJobList, ImportJobView, "A page of import jobs.");
