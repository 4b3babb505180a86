//! `/api/v1/imports/jobs`: asynchronous imports (`POST /api/v1/imports/{dataset}` with
//! `Prefer: respond-async`), their progress and outcome; a queued job can be cancelled.

mod cancel;
mod dto;
mod get;
mod list;

use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::{ImportJobList, ImportJobView, job_problem};

/// Registers the import job routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list::list_import_jobs).service(get::get_import_job).service(cancel::cancel_import_job);
}
