//! `/api/v1/programs`: additional professional programmes (ДПП).

mod create;
use crate::dto::programs as dto;
mod get;
mod list;
mod update;

use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::{ProgramView, ProgramWrite};

/// Registers the programme routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list::list_programs)
        .service(create::create_program)
        .service(get::get_program)
        .service(update::update_program);
}
