//! `/api/v1/competencies`: the region's competency framework (areas and competencies).

mod create;
mod dto;
mod get;
mod list;
mod retire;
mod tree;
mod update;

use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::CompetencyView;

/// Registers the competency routes (`/tree` before `/{id}`).
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(tree::tree_competencies)
        .service(list::list_competencies)
        .service(create::create_competency)
        .service(get::get_competency)
        .service(update::update_competency)
        .service(retire::retire_competency);
}
