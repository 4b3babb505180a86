//! `/api/v1/changes`: the change feed — every create, update and delete, in commit order,
//! resumable from any cursor, filtered by the caller's scope.

mod dto;
mod list;

use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::{ChangeList, ChangeView};

/// Registers the change feed.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list::list_changes);
}
