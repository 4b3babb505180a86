//! `/api/v1/organizations`: network participants (участники сети).

mod close;
mod create;
use crate::dto::organizations as dto;
mod get;
mod list;
mod update;

use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::{OrganizationView, OrganizationWrite};

/// Registers the organisation routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list::list_organizations)
        .service(create::create_organization)
        .service(get::get_organization)
        .service(update::update_organization)
        .service(close::close_organization);
}
