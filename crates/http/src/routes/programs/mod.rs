//! `/api/v1/programs`: additional professional programmes (ДПП).

mod create;
use crate::dto::programs as dto;
mod get;
mod list;
mod update;

use rsnms_domain::development::programs::Deps;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::AppState;

pub use dto::{ProgramView, ProgramWrite};

/// Registers the programme routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list::list_programs)
        .service(create::create_program)
        .service(get::get_program)
        .service(update::update_program);
}

/// The repositories creating and changing a programme take.
fn deps(state: &AppState) -> Deps<'_> {
    Deps {
        programs: state.programs.as_ref(),
        competencies: state.competencies.as_ref(),
        orgs: state.organizations.as_ref(),
    }
}
