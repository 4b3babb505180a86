//! `/api/v1/imports/{dataset}`: bulk loading by curl — streamed NDJSON or CSV through the
//! resources' own actions, all-or-nothing or keeping good lines, idempotent, with a summary.

mod create;
pub mod datasets;
mod dto;
pub mod engine;
pub mod reader;

use utoipa_actix_web::service_config::ServiceConfig;

pub use create::rejection;
pub use dto::{ImportErrorView, ImportSummaryView};

/// Default largest import body: 1 GiB.
pub const DEFAULT_IMPORT_MAX_BYTES: u64 = 1024 * 1024 * 1024;

/// The configured largest import body in bytes (`RSNMS_IMPORT_MAX_BYTES`).
#[derive(Debug, Clone, Copy)]
pub struct ImportLimit(pub u64);

/// Registers the import routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create::create_import);
}
