//! `/api/v1/mentoring-pairs`.

mod create;
use crate::dto::mentoring_pairs as dto;
mod get;
mod list;
mod update;

use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::{MentoringPairView, MentoringPairWrite};

/// Registers the routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list::list_mentoring_pairs)
        .service(create::create_mentoring_pair)
        .service(get::get_mentoring_pair)
        .service(update::update_mentoring_pair);
}
