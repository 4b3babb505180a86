//! `/api/v1/audit`: the audit trail (administrators only).

mod list;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the audit routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list::list_audit);
}
