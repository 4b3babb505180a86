use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::header, web};
use rsnms_domain::{Msg, auth::Ctx, idempotency::KeyHold};

use super::TokenIssuer;
use crate::problem::ApiError;

/// The request id assigned by the edge middleware (also the `X-Request-Id` response header).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The authenticated caller: extracting it answers 401 (with `WWW-Authenticate: Bearer`)
/// when the bearer token is missing or invalid.
#[derive(Debug, Clone)]
pub struct Auth(pub Ctx);

fn bearer(req: &HttpRequest) -> Option<&str> {
    let v = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(issuer) = req.app_data::<web::Data<TokenIssuer>>() else {
            return ready(Err(ApiError::internal()));
        };
        let Some(token) = bearer(req) else {
            return ready(Err(ApiError::unauthorized(Msg::new(
                "Передайте токен в заголовке Authorization: Bearer",
                "Send a token in the Authorization: Bearer header",
            ))));
        };
        let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default();
        ready(match issuer.verify(token) {
            Ok(actor) => {
                // The key this run holds (set by the idempotency middleware), so that the
                // changes it journals are fenced by the key's lease.
                let idempotency = req.extensions().get::<KeyHold>().filter(|h| h.subject == actor.subject).cloned();
                Ok(Auth(Ctx { actor, request_id, idempotency }))
            }
            Err(e) => {
                tracing::info!(reason = %e, "token refused");
                Err(ApiError::unauthorized(Msg::new(
                    "Токен недействителен или истёк",
                    "The token is invalid or expired",
                )))
            }
        })
    }
}
