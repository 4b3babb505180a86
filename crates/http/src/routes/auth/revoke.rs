use actix_web::{HttpRequest, HttpResponse, post, web};
use rsnms_domain::{
    Msg,
    sign_in::{self, Revocation},
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::parse;
use crate::{
    AppState,
    auth::{Standings, TokenIssuer},
    middleware::RateLimiter,
    openapi::PublicErrors,
    problem::{ApiError, ApiResult},
};

/// A revocation request (RFC 7009), as JSON or `application/x-www-form-urlencoded`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevocationRequest {
    /// A refresh token, or an access token issued by a sign-in.
    #[schema(max_length = 4096)]
    pub token: String,
    /// `refresh_token` or `access_token` (a hint; both are tried, and any other value is ignored,
    /// as RFC 7009 §2.2 asks).
    #[expect(dead_code, reason = "RFC 7009 lets a server ignore the hint: both kinds are tried")]
    pub token_type_hint: Option<String>,
}

/// Revoke a token (RFC 7009; отозвать токен).
///
/// A refresh token, or an access token issued by a sign-in, ends its whole session: the session's
/// refresh tokens and access tokens stop working (within seconds on every instance). Answers 200
/// also for a token that is unknown or already revoked, as RFC 7009 asks. Access tokens without a
/// session (service accounts) cannot be revoked one by one: 400 `unsupported-token-type`; revoke
/// the account's tokens instead (`POST /accounts/{id}/revoke-tokens`).
#[utoipa::path(
    tag = "auth",
    request_body(content(
        (RevocationRequest = "application/json"),
        (RevocationRequest = "application/x-www-form-urlencoded")
    )),
    responses((status = 200, description = "Revoked, or nothing to revoke"), PublicErrors),
    security(())
)]
#[post("/auth/revoke")]
pub async fn revoke_token(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    issuer: web::Data<TokenIssuer>,
    standings: web::Data<Standings>,
    limiter: web::Data<RateLimiter>,
) -> ApiResult<HttpResponse> {
    limiter.sign_in(&req, None)?;
    let body: RevocationRequest = parse(&req, payload).await?;
    let access = |t: &str| issuer.verify_token(t).ok().map(|t| (t.actor.subject.parse().ok(), t.session));
    match sign_in::revoke(state.sign_ins.as_ref(), &body.token, access).await? {
        Revocation::Revoked(account) => standings.forget(account),
        Revocation::Nothing => {}
        Revocation::Unsupported => {
            return Err(ApiError::new(
                actix_web::http::StatusCode::BAD_REQUEST,
                "unsupported-token-type",
                Msg::new("Этот токен нельзя отозвать отдельно", "This token cannot be revoked on its own"),
                Msg::new(
                    "Отзовите токены учётной записи: POST /api/v1/accounts/{id}/revoke-tokens",
                    "Revoke the account's tokens: POST /api/v1/accounts/{id}/revoke-tokens",
                ),
            ));
        }
    }
    Ok(HttpResponse::Ok().finish())
}
