//! `Idempotency-Key` on every POST: the first response is stored (in the database, per account)
//! and replayed for a retry with the same key and request; the same key with another request is
//! a 422, and a retry while the first is still running is a 409.

use std::sync::Arc;

use actix_web::{
    Error, HttpMessage, HttpResponse,
    body::{BoxBody, MessageBody, to_bytes},
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::{Method, StatusCode, header},
    middleware::Next,
    web,
};
use futures_util::StreamExt;
use rsnms_domain::{
    FieldError, Msg,
    idempotency::{Claim, IdempotencyStore, StoredResponse},
};
use sha2::{Digest, Sha256};

use crate::{
    auth::TokenIssuer,
    extract::{BodyLimit, DEFAULT_BODY_LIMIT},
    problem::ApiError,
};

const KEY: &str = "idempotency-key";

/// Longest `Idempotency-Key` (the published spec states it: `openapi::finalize`).
pub const KEY_MAX_LEN: usize = 255;

/// The characters of an `Idempotency-Key`: visible ASCII, as a JSON Schema pattern.
pub const KEY_PATTERN: &str = "^[!-~]+$";

/// Whether a header value is a key this API accepts: 1–[`KEY_MAX_LEN`] visible ASCII characters
/// ([`KEY_PATTERN`]).
pub fn is_valid_key(k: &str) -> bool {
    (1..=KEY_MAX_LEN).contains(&k.len()) && k.chars().all(|c| c.is_ascii_graphic())
}
const REPLAYED: &str = "idempotent-replayed";

/// Shared handle to the key store.
#[derive(Clone)]
pub struct Keys(pub Arc<dyn IdempotencyStore>);

fn bad_key() -> ApiError {
    ApiError::validation(vec![FieldError::new(
        "Idempotency-Key",
        "invalid_idempotency_key",
        Msg::new(
            "Ключ идемпотентности — от 1 до 255 видимых символов ASCII",
            "An idempotency key is 1–255 visible ASCII characters",
        ),
    )])
}

fn replay(stored: StoredResponse) -> HttpResponse {
    let mut b = HttpResponse::build(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK));
    for (n, v) in stored.headers {
        b.insert_header((n, v));
    }
    b.insert_header((REPLAYED, "true"));
    b.body(stored.body)
}

/// The idempotency middleware.
pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // Imports stream bodies of up to a gigabyte: their handler hashes the stream itself and uses
    // the same key store (routes/imports/create.rs).
    if req.path().starts_with("/api/v1/imports/") {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    }
    let key = req.headers().get(KEY).map(|v| v.to_str().map(str::to_owned));
    let (Method::POST, Some(key)) = (req.method().clone(), key) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let key = match key {
        Ok(k) if is_valid_key(&k) => k,
        _ => return Ok(req.error_response(bad_key())),
    };
    // The subject owns the key; an unauthenticated request goes on and fails on its own.
    let subject = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' ').map(|(_, t)| t.trim().to_owned()))
        .and_then(|t| req.app_data::<web::Data<TokenIssuer>>().and_then(|i| i.verify(&t).ok()))
        .map(|a| a.subject);
    let (Some(subject), Some(keys)) = (subject, req.app_data::<web::Data<Keys>>().cloned()) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let limit = req.app_data::<BodyLimit>().map_or(DEFAULT_BODY_LIMIT, |l| l.0);
    let mut body = web::BytesMut::new();
    let mut payload = req.take_payload();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return Ok(req.error_response(ApiError::bad_request(Msg::new(
                "Не удалось прочитать тело запроса",
                "Could not read the request body",
            ))));
        };
        if body.len() + chunk.len() > limit {
            return Ok(req.error_response(ApiError::payload_too_large(limit)));
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let mut h = Sha256::new();
    h.update(req.method().as_str());
    h.update([0]);
    h.update(req.path());
    h.update([0]);
    h.update(req.query_string());
    h.update([0]);
    h.update(&body);
    let fingerprint = hex::encode(h.finalize());
    let claim = match keys.0.claim(&subject, &key, &fingerprint).await {
        Ok(c) => c,
        Err(e) => return Ok(req.error_response(ApiError::from(e))),
    };
    match claim {
        Claim::Replay(stored) => Ok(req.into_response(replay(stored))),
        Claim::Mismatch => Ok(req.error_response(ApiError::validation(vec![FieldError::new(
            "Idempotency-Key",
            "idempotency_key_reused",
            Msg::new("Ключ уже использован с другим запросом", "The key was already used with a different request"),
        )]))),
        Claim::InProgress => Ok(req.error_response(
            ApiError::new(
                StatusCode::CONFLICT,
                "idempotency-in-progress",
                Msg::new("Запрос выполняется", "Request in progress"),
                Msg::new(
                    "Запрос с этим ключом ещё выполняется; повторите позже",
                    "A request with this key is still running; retry later",
                ),
            )
            .with_header(header::RETRY_AFTER, "1"),
        )),
        Claim::Acquired => {
            req.set_payload(Payload::from(body));
            let res = match next.call(req).await {
                Ok(r) => r.map_into_boxed_body(),
                Err(e) => {
                    let _ = keys.0.release(&subject, &key).await;
                    return Err(e);
                }
            };
            let status = res.status();
            if status.is_server_error() || status == StatusCode::UNAUTHORIZED {
                let _ = keys.0.release(&subject, &key).await;
                return Ok(res);
            }
            let (http_req, response) = res.into_parts();
            let (head, body) = response.into_parts();
            let bytes = to_bytes(body).await.unwrap_or_default();
            let headers: Vec<(String, String)> = [header::CONTENT_TYPE, header::LOCATION, header::ETAG]
                .iter()
                .filter_map(|n| {
                    head.headers().get(n).and_then(|v| v.to_str().ok()).map(|v| (n.to_string(), v.to_owned()))
                })
                .collect();
            let stored = StoredResponse { status: status.as_u16(), headers, body: bytes.to_vec() };
            if let Err(e) = keys.0.complete(&subject, &key, &stored).await {
                tracing::warn!(error = %e, "idempotent response not stored");
            }
            let rebuilt = head.set_body(BoxBody::new(bytes));
            Ok(ServiceResponse::new(http_req, rebuilt))
        }
    }
}
