//! `/api/v1/events`.

mod create;
use crate::dto::events as dto;
mod get;
mod list;
mod update;

use rsnms_domain::development::events::Deps;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::AppState;

pub use dto::{EventView, EventWrite};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list::list_events).service(create::create_event).service(get::get_event).service(update::update_event);
}

/// The repositories creating and changing events and internship sites take.
pub(crate) fn deps(state: &AppState) -> Deps<'_> {
    Deps {
        offerings: state.offerings.as_ref(),
        competencies: state.competencies.as_ref(),
        orgs: state.organizations.as_ref(),
    }
}
