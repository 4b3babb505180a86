use actix_web::{HttpRequest, HttpResponse, http::header, post, web};
use chrono::Utc;
use rsnms_domain::{
    FieldError, Msg,
    accounts::{Account, AccountKind, actor_for},
    auth::Role,
    sign_in::{Refresh, SignIn, refresh, sign_in},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{new_refresh_token, parse, refresh_hash, request_id};
use crate::{
    AppState, TokenPolicy,
    auth::{Binding, Standings, TokenIssuer, dummy_hash, verify_secret},
    middleware::RateLimiter,
    openapi::PublicErrors,
    problem::{ApiError, ApiResult},
};

/// How the token is obtained (OAuth 2.0 grant type).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// A user's login and password; also returns a refresh token.
    Password,
    /// A service account's id and secret.
    ClientCredentials,
    /// A refresh token, spent and replaced by a new one.
    RefreshToken,
}

/// A token request, as JSON or `application/x-www-form-urlencoded`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// `password`, `client_credentials` or `refresh_token`.
    pub grant_type: GrantType,
    /// Login, for `password`.
    #[schema(max_length = 100)]
    pub username: Option<String>,
    /// Password, for `password`.
    #[schema(max_length = 1024, format = Password)]
    pub password: Option<String>,
    /// Client id, for `client_credentials`.
    #[schema(max_length = 100)]
    pub client_id: Option<String>,
    /// Client secret, for `client_credentials`.
    #[schema(max_length = 1024, format = Password)]
    pub client_secret: Option<String>,
    /// The refresh token, for `refresh_token`.
    #[schema(max_length = 200)]
    pub refresh_token: Option<String>,
}

/// An issued access token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime in seconds.
    #[schema(minimum = 1, maximum = 604800)]
    pub expires_in: i64,
    /// The role the token carries.
    pub role: Role,
    /// An opaque, single-use refresh token (password and refresh grants): present it once with
    /// `grant_type=refresh_token` for a new pair; presenting a spent one ends the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200)]
    pub refresh_token: Option<String>,
}

fn missing(fields: &[(&str, bool)]) -> ApiError {
    ApiError::validation(fields.iter().filter(|f| f.1).map(|f| FieldError::required(f.0)).collect())
}

fn refused() -> ApiError {
    ApiError::unauthorized(Msg::new("Неверные учётные данные", "Invalid credentials"))
}

fn locked(seconds: i64) -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::TOO_MANY_REQUESTS,
        "sign-in-locked",
        Msg::new("Слишком много неудачных попыток входа", "Too many failed sign-ins"),
        Msg::new(format!("Повторите через {seconds} с"), format!("Retry in {seconds} s")),
    )
    .with_header(header::RETRY_AFTER, seconds.to_string())
}

/// The credentials of a password or client-credentials request (422 naming what is missing).
fn credentials(body: TokenRequest) -> ApiResult<(AccountKind, String, String)> {
    match body.grant_type {
        GrantType::Password => match (body.username, body.password) {
            (Some(u), Some(p)) => Ok((AccountKind::User, u, p)),
            (u, p) => Err(missing(&[("username", u.is_none()), ("password", p.is_none())])),
        },
        _ => match (body.client_id, body.client_secret) {
            (Some(c), Some(s)) => Ok((AccountKind::Client, c, s)),
            (c, s) => Err(missing(&[("client_id", c.is_none()), ("client_secret", s.is_none())])),
        },
    }
}

/// Issue an access token (получить токен доступа).
///
/// `grant_type=password` with `username` and `password` (returns a refresh token too),
/// `grant_type=client_credentials` with `client_id` and `client_secret`, or
/// `grant_type=refresh_token` with `refresh_token`; JSON or form-encoded. Access tokens are
/// short-lived JWTs. Limited per client address and per login; a login's failed sign-ins lock
/// it for a time that doubles with every further failure (429 with `Retry-After`, the same for
/// logins that do not exist). A disabled or deleted account, one whose organisation is closed or
/// whose person is deleted, gets no token.
#[utoipa::path(
    tag = "auth",
    request_body(content(
        (TokenRequest = "application/json"),
        (TokenRequest = "application/x-www-form-urlencoded")
    )),
    responses((status = 200, description = "A token", body = TokenResponse), PublicErrors),
    security(())
)]
#[post("/auth/token")]
pub async fn issue_token(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    issuer: web::Data<TokenIssuer>,
    limiter: web::Data<RateLimiter>,
    policy: web::Data<TokenPolicy>,
    standings: web::Data<Standings>,
) -> ApiResult<HttpResponse> {
    let body: TokenRequest = parse(&req, payload).await?;
    let request_id = request_id(&req);
    if let GrantType::RefreshToken = body.grant_type {
        limiter.sign_in(&req, None)?;
        let Some(old) = body.refresh_token else { return Err(missing(&[("refresh_token", true)])) };
        let (new, new_hash) = new_refresh_token();
        let refreshed = refresh(
            state.accounts.as_ref(),
            state.sign_ins.as_ref(),
            &request_id,
            &refresh_hash(old.trim()),
            &new_hash,
        )
        .await?;
        return match refreshed {
            Refresh::Granted(account, session) => respond(&state, &issuer, &account, Some((new, session))).await,
            Refresh::Refused(revoked) => {
                // A replayed token revoked its session: refuse its access tokens here at once.
                if let Some(account) = revoked {
                    standings.forget(account);
                }
                Err(refused())
            }
        };
    }
    let (kind, login, secret) = credentials(body)?;
    limiter.sign_in(&req, Some(&login))?;
    let verify = async move |hash: String| web::block(move || verify_secret(&secret, &hash)).await.unwrap_or(false);
    let outcome = sign_in(
        state.accounts.as_ref(),
        state.sign_ins.as_ref(),
        &policy.sign_in,
        &request_id,
        (kind, &login),
        dummy_hash(),
        verify,
    )
    .await?;
    match outcome {
        SignIn::Granted(account) if account.kind == AccountKind::User => {
            let (token, hash) = new_refresh_token();
            let expires = Utc::now() + chrono::Duration::seconds(policy.refresh_ttl_seconds);
            let session = state.sign_ins.start_session(&account, &hash, expires).await?;
            respond(&state, &issuer, &account, Some((token, session))).await
        }
        SignIn::Granted(account) => respond(&state, &issuer, &account, None).await,
        SignIn::Refused => Err(refused()),
        SignIn::Locked(seconds) => Err(locked(seconds)),
    }
}

async fn respond(
    state: &AppState,
    issuer: &TokenIssuer,
    account: &Account,
    refresh: Option<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let actor = actor_for(state.organizations.as_ref(), account).await?;
    let binding = Binding { generation: Some(account.token_generation), session: refresh.as_ref().map(|r| r.1) };
    let token = issuer.issue_bound(&actor, binding, None).map_err(|_| ApiError::internal())?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(TokenResponse {
        access_token: token,
        token_type: "Bearer".into(),
        expires_in: issuer.ttl_seconds(),
        role: actor.role,
        refresh_token: refresh.map(|r| r.0),
    }))
}
