use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;

use crate::{
    AppState,
    auth::{Auth, Standings, session_of},
    openapi::ReadErrors,
    problem::ApiResult,
};

/// Sign out (выйти): ends the session of the presented token — its refresh tokens and access
/// tokens stop working (within seconds on every instance). Tokens without a session (service
/// accounts) are not affected.
#[utoipa::path(tag = "auth", responses((status = 204, description = "Signed out"), ReadErrors), security(("bearer" = [])))]
#[post("/auth/sign-out")]
pub async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    standings: web::Data<Standings>,
    Auth(ctx): Auth,
) -> ApiResult<HttpResponse> {
    if let (Ok(account), Some(session)) = (ctx.actor.subject.parse(), session_of(&req)) {
        state.sign_ins.revoke_session(account, session, Utc::now()).await?;
        standings.forget(account);
    }
    Ok(HttpResponse::NoContent().finish())
}
