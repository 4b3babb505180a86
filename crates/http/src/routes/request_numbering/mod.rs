//! `/api/v1/organizations/{id}/request-numbering`: the template of a sender's outgoing
//! registration numbers (исходящий номер), with a preview of the next one.

mod dto;
mod get;
mod put;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the numbering routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get::get_request_numbering).service(put::put_request_numbering);
}
