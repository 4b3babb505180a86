//! `/api/v1/agreements`: tripartite agreements (трёхсторонние соглашения) with their parties,
//! clauses, indicators and targets, amendments and version history, actual values and
//! attainment reports.

mod create;
mod create_amendment;
mod create_value;
use crate::dto::agreements as dto;
mod get;
mod list;
mod list_values;
mod list_versions;
mod region_report;
mod report;
mod sign;
mod terminate;
mod update;

use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::{AgreementView, AgreementWrite, IndicatorValueWrite};

/// Registers the agreement routes (the region report before `/{id}`).
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(region_report::get_agreements_report)
        .service(list::list_agreements)
        .service(create::create_agreement)
        .service(get::get_agreement)
        .service(update::update_agreement)
        .service(sign::sign_agreement)
        .service(terminate::terminate_agreement)
        .service(create_amendment::create_agreement_amendment)
        .service(list_versions::list_agreement_versions)
        .service(report::get_agreement_report)
        .service(create_value::create_indicator_value)
        .service(list_values::list_indicator_values);
}
