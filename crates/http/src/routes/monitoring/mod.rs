//! `/api/v1/monitoring`: indicator definitions, computed indicators and the yearly report.

mod definitions;
mod dto;
mod html;
mod indicators;
mod report;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(definitions::list_monitoring_definitions)
        .service(indicators::get_monitoring_indicators)
        .service(report::get_monitoring_report);
}
