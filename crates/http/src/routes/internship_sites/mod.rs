//! `/api/v1/internship-sites`.

mod create;
use crate::dto::internship_sites as dto;
mod get;
mod list;
mod update;

use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::{InternshipSiteView, InternshipSiteWrite};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list::list_internship_sites)
        .service(create::create_internship_site)
        .service(get::get_internship_site)
        .service(update::update_internship_site);
}
