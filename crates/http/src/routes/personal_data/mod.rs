//! Personal-data duties under 152-ФЗ: purposes of processing, bases and consents per person,
//! withdrawal, the depersonalisation plan, and the subject access report.

mod create_basis;
mod create_purpose;
mod dto;
mod html;
mod list_bases;
mod list_purposes;
mod plan;
mod report;
mod retention;
mod withdraw_basis;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the personal-data routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_purposes::list_processing_purposes)
        .service(create_purpose::create_processing_purpose)
        .service(plan::get_depersonalisation_plan)
        .service(retention::get_retention_report)
        .service(list_bases::list_processing_bases)
        .service(create_basis::create_processing_basis)
        .service(withdraw_basis::withdraw_processing_basis)
        .service(report::get_person_personal_data);
}
