use actix_web::{HttpRequest, HttpResponse, http::header, post, web};
use rsnms_domain::{
    FieldError, Msg,
    accounts::{AccountKind, actor_for},
    auth::Role,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    AppState,
    auth::{TokenIssuer, verify_secret},
    extract::{from_value, read_json},
    openapi::PublicErrors,
    problem::{ApiError, ApiResult},
};

/// How the token is obtained (OAuth 2.0 grant type).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// A user's login and password.
    Password,
    /// An API client's id and secret.
    ClientCredentials,
}

/// A token request, as JSON or `application/x-www-form-urlencoded`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// `password` or `client_credentials`.
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
}

async fn parse(req: &HttpRequest, payload: web::Payload) -> ApiResult<TokenRequest> {
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if ct.starts_with("application/x-www-form-urlencoded") {
        let bytes = payload
            .to_bytes_limited(64 * 1024)
            .await
            .map_err(|_| ApiError::payload_too_large(64 * 1024))?
            .map_err(|_| {
                ApiError::bad_request(Msg::new("Не удалось прочитать тело запроса", "Could not read the request body"))
            })?;
        let pairs: serde_json::Map<String, serde_json::Value> = form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
            .collect();
        from_value(serde_json::Value::Object(pairs))
    } else {
        from_value(read_json(req.clone(), payload.into_inner()).await?)
    }
}

fn missing(fields: &[&str]) -> ApiError {
    ApiError::validation(fields.iter().map(|f| FieldError::required(*f)).collect())
}

fn refused() -> ApiError {
    ApiError::unauthorized(Msg::new("Неверные учётные данные", "Invalid credentials"))
}

/// Issue an access token (получить токен доступа).
///
/// `grant_type=password` with `username` and `password`, or `grant_type=client_credentials`
/// with `client_id` and `client_secret`; JSON or form-encoded. Tokens are short-lived JWTs.
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
) -> ApiResult<HttpResponse> {
    let body = parse(&req, payload).await?;
    let (kind, login, secret) = match body.grant_type {
        GrantType::Password => match (body.username, body.password) {
            (Some(u), Some(p)) => (AccountKind::User, u, p),
            (u, p) => {
                return Err(missing(
                    &[("username", u.is_none()), ("password", p.is_none())]
                        .iter()
                        .filter(|x| x.1)
                        .map(|x| x.0)
                        .collect::<Vec<_>>(),
                ));
            }
        },
        GrantType::ClientCredentials => match (body.client_id, body.client_secret) {
            (Some(c), Some(s)) => (AccountKind::Client, c, s),
            (c, s) => {
                return Err(missing(
                    &[("client_id", c.is_none()), ("client_secret", s.is_none())]
                        .iter()
                        .filter(|x| x.1)
                        .map(|x| x.0)
                        .collect::<Vec<_>>(),
                ));
            }
        },
    };
    let account = state.accounts.find_by_login(kind, login.trim()).await?;
    // Verify even for an unknown login so that timing does not tell which logins exist.
    let hash = account.as_ref().map(|a| a.secret_hash.clone()).unwrap_or_else(|| DUMMY_HASH.to_owned());
    let ok = web::block(move || verify_secret(&secret, &hash)).await.unwrap_or(false);
    let account = match account {
        Some(a) if ok && !a.disabled => a,
        _ => return Err(refused()),
    };
    let actor = actor_for(state.organizations.as_ref(), &account).await?;
    let token = issuer.issue(&actor, None).map_err(|_| ApiError::internal())?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(TokenResponse {
        access_token: token,
        token_type: "Bearer".into(),
        expires_in: issuer.ttl_seconds(),
        role: actor.role,
    }))
}

/// argon2id hash of a random string nobody knows, verified for unknown logins.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0gFJz8q0KZV+yqQ7mBEHG3lAGbDfuQl0eQ0W8J4kOqU";
