//! `/api/v1/events/{id}/participants`: registrations for an event and their attendance.

mod dto;
mod get;
mod list;
mod register;
mod update;

use rsnms_domain::development::participation::ParticipationDeps;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::AppState;

pub use dto::{ParticipantView, ParticipantWrite};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list::list_event_participants)
        .service(register::register_event_participant)
        .service(get::get_event_participant)
        .service(update::update_event_participant);
}

fn deps(state: &AppState) -> ParticipationDeps<'_> {
    ParticipationDeps {
        participations: state.participations.as_ref(),
        offerings: state.offerings.as_ref(),
        persons: state.persons.as_ref(),
        organizations: state.organizations.as_ref(),
    }
}
