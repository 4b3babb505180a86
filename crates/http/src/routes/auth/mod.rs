//! `/api/v1/auth/token`: access tokens for users and API clients.

mod issue;
mod me;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the auth routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(issue::issue_token).service(me::get_me);
}
