//! `/api/v1/deadline-policies`: terms of replies, their legal basis and extension rules.

mod create;
mod dto;
mod get;
mod list;
mod update;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the deadline policy routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list::list_deadline_policies)
        .service(create::create_deadline_policy)
        .service(get::get_deadline_policy)
        .service(update::update_deadline_policy);
}
