//! `/api/v1/diagnostics`: diagnostic campaigns, their results, aggregates of deficits; and
//! `/api/v1/persons/{id}/deficits`, a person's deficits derived from their results.

mod analytics;
mod create;
mod deficits;
mod dto;
mod gaps;
mod get;
mod list;
mod list_results;
mod record_results;
mod update;

use rsnms_domain::development::diagnostics::Deps;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::AppState;

pub use dto::{DiagnosticView, ResultItem};

/// Registers the diagnostic routes (`/analytics` before `/{id}`).
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(analytics::get_diagnostics_analytics)
        .service(gaps::get_offer_gaps)
        .service(list::list_diagnostics)
        .service(create::create_diagnostic)
        .service(get::get_diagnostic)
        .service(update::update_diagnostic)
        .service(list_results::list_diagnostic_results)
        .service(record_results::record_diagnostic_results)
        .service(deficits::list_deficits);
}

/// The repositories creating and changing a campaign take.
fn deps(state: &AppState) -> Deps<'_> {
    Deps {
        diagnostics: state.diagnostics.as_ref(),
        competencies: state.competencies.as_ref(),
        orgs: state.organizations.as_ref(),
    }
}
