//! `/api/v1/route-templates`: plans of steps applied to groups of teachers (each gets her own
//! draft route).

mod apply;
mod create;
mod dto;
mod get;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the template routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create::create_route_template).service(get::get_route_template).service(apply::apply_route_template);
}
