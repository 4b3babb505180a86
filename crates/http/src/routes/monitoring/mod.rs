//! `/api/v1/monitoring`: indicator definitions, computed indicators and the yearly report.

mod definitions;
mod dto;
mod html;
mod indicators;
mod report;

use rsnms_domain::monitoring::Deps;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::AppState;

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(definitions::list::list_monitoring_definitions)
        .service(definitions::create::create_monitoring_definition)
        .service(definitions::get::get_monitoring_definition)
        .service(definitions::update::update_monitoring_definition)
        .service(definitions::retire::retire_monitoring_definition)
        .service(indicators::get_monitoring_indicators)
        .service(report::get_monitoring_report);
}

/// The repositories the report of a year takes (also read by the regional passport export).
pub(crate) fn deps(state: &AppState) -> Deps<'_> {
    Deps {
        monitoring: state.monitoring.as_ref(),
        agreements: state.agreements.as_ref(),
        requests: state.network_requests.as_ref(),
    }
}
