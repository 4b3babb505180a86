use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::header, web};
use futures_util::future::{Either, FutureExt, LocalBoxFuture, Ready, ready};
use rsnms_domain::{Msg, auth::Ctx, idempotency::KeyHold};

use super::{
    OidcRefusal, TokenIssuer,
    jwt::Verified,
    standing::{Refusal, Standings},
};
use crate::problem::ApiError;

/// The request id assigned by the edge middleware (also the `X-Request-Id` response header).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The authenticated caller: extracting it answers 401 (with `WWW-Authenticate: Bearer`)
/// when the bearer token is missing or invalid, or its account may no longer hold tokens.
#[derive(Debug, Clone)]
pub struct Auth(pub Ctx);

/// The bearer token of a request, if it sends one.
pub fn bearer(req: &HttpRequest) -> Option<&str> {
    let v = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

fn refused() -> ApiError {
    ApiError::unauthorized(Msg::new("Токен недействителен или истёк", "The token is invalid or expired"))
}

fn refusal(r: Refusal) -> ApiError {
    match r {
        Refusal::Unavailable => ApiError::from(rsnms_domain::DomainError::Unavailable("account standing".into())),
        Refusal::Unbound | Refusal::Revoked => {
            tracing::info!(reason = ?r, "token refused");
            refused()
        }
    }
}

/// The token verified by the rate limiter (which keys callers by it, and verifies identity
/// providers' tokens), or this API's own token verified here.
fn verified(req: &HttpRequest) -> Result<Verified, ApiError> {
    if let Some(v) = req.extensions_mut().remove::<Verified>() {
        return Ok(v);
    }
    if let Some(r) = req.extensions_mut().remove::<OidcRefusal>() {
        return Err(r.into());
    }
    let Some(issuer) = req.app_data::<web::Data<TokenIssuer>>() else {
        return Err(ApiError::internal());
    };
    let Some(token) = bearer(req) else {
        return Err(ApiError::unauthorized(Msg::new(
            "Передайте токен в заголовке Authorization: Bearer",
            "Send a token in the Authorization: Bearer header",
        )));
    };
    issuer.verify_token(token).map_err(|e| {
        tracing::info!(reason = %e, "token refused");
        refused()
    })
}

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = Either<Ready<Result<Self, ApiError>>, LocalBoxFuture<'static, Result<Self, ApiError>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = match verified(req) {
            Ok(t) => t,
            Err(e) => return Either::Left(ready(Err(e))),
        };
        let Some(standings) = req.app_data::<web::Data<Standings>>().map(|s| s.clone().into_inner()) else {
            return Either::Left(ready(Err(ApiError::internal())));
        };
        let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default();
        // The key this run holds (set by the idempotency middleware), so that the changes it
        // journals are fenced by the key's lease.
        let idempotency = req.extensions().get::<KeyHold>().filter(|h| h.subject == token.actor.subject).cloned();
        match standings.check(&token) {
            Either::Left(decided) => Either::Left(ready(match decided.into_inner() {
                Ok(()) => Ok(Auth(Ctx { actor: token.actor, request_id, idempotency })),
                Err(r) => Err(refusal(r)),
            })),
            Either::Right(pending) => Either::Right(
                pending
                    .map(move |decided| match decided {
                        Ok(()) => Ok(Auth(Ctx { actor: token.actor, request_id, idempotency })),
                        Err(r) => Err(refusal(r)),
                    })
                    .boxed_local(),
            ),
        }
    }
}

/// The verified token of a request that presents one, for handlers that need its session.
pub fn session_of(req: &HttpRequest) -> Option<uuid::Uuid> {
    let issuer = req.app_data::<web::Data<TokenIssuer>>()?;
    issuer.verify_token(bearer(req)?).ok()?.session
}
