//! `/api/v1/mentoring-pairs`.

mod create;
use crate::dto::mentoring_pairs as dto;
mod get;
mod list;
mod update;

use rsnms_domain::development::mentoring::Deps;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::AppState;

pub use dto::{MentoringPairView, MentoringPairWrite};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list::list_mentoring_pairs)
        .service(create::create_mentoring_pair)
        .service(get::get_mentoring_pair)
        .service(update::update_mentoring_pair);
}

/// The repositories creating and changing a pair take.
fn deps(state: &AppState) -> Deps<'_> {
    Deps {
        mentoring: state.mentoring.as_ref(),
        persons: state.persons.as_ref(),
        orgs: state.organizations.as_ref(),
        competencies: state.competencies.as_ref(),
    }
}
