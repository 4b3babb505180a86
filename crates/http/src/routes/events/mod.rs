//! `/api/v1/events`.

mod create;
use crate::dto::events as dto;
mod get;
mod list;
mod update;

use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::{EventView, EventWrite};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list::list_events).service(create::create_event).service(get::get_event).service(update::update_event);
}
