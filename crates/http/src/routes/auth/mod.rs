//! `/api/v1/auth`: access and refresh tokens, revocation (RFC 7009), sign-out, the caller's
//! own password, and who am I.

mod change_password;
mod issue;
mod me;
mod revoke;
mod sign_out;

use actix_web::{HttpMessage, HttpRequest, http::header, web};
use rand::RngCore;
use rsnms_domain::Msg;
use serde::de::DeserializeOwned;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    auth::RequestId,
    extract::{from_value, read_json},
    problem::{ApiError, ApiResult},
};

/// Registers the auth routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(issue::issue_token)
        .service(revoke::revoke_token)
        .service(sign_out::sign_out)
        .service(change_password::change_password)
        .service(me::get_me);
}

/// Reads a body sent as JSON or `application/x-www-form-urlencoded` (OAuth clients send forms).
async fn parse<T: DeserializeOwned>(req: &HttpRequest, payload: web::Payload) -> ApiResult<T> {
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

/// The request id (for the audit of failed sign-ins).
fn request_id(req: &HttpRequest) -> String {
    req.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default()
}

/// A new opaque refresh token (256 random bits, base64url) and the SHA-256 (hex) it is stored as.
fn new_refresh_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes);
    let hash = refresh_hash(&token);
    (token, hash)
}

/// How a refresh token is stored ([`refresh_token_hash`](rsnms_domain::sign_in::refresh_token_hash)).
fn refresh_hash(token: &str) -> String {
    rsnms_domain::sign_in::refresh_token_hash(token)
}
