//! `/api/v1/persons`: teachers, managers, tutors, methodologists, mentors.

mod create;
mod delete;
mod employments;
use crate::dto::persons as dto;
mod get;
mod list;
mod update;

use rsnms_domain::persons::Deps;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::AppState;

pub use dto::{PersonView, PersonWrite};
pub(crate) use employments::EmploymentPeriod;

/// Registers the person routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list::list_persons)
        .service(create::create_person)
        .service(get::get_person)
        .service(update::update_person)
        .service(delete::delete_person)
        .service(employments::list_employments)
        .service(employments::replace_employments);
}

/// The repositories reading persons takes.
fn deps(state: &AppState) -> Deps<'_> {
    Deps { persons: state.persons.as_ref(), bases: state.personal_data.as_ref(), audit: state.audit.as_ref() }
}
