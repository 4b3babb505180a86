//! Conditional reads (RFC 9110 §13.1.2): a `GET` with `If-None-Match` naming the current `ETag`
//! answers `304 Not Modified` with no body, for every route at once.
//!
//! A single resource carries the strong `ETag` of its version (set by its handler). Any other
//! `200` JSON answer of a `GET` held in memory — a page of a list, a summary — gets a weak `ETag`
//! computed here over its body (`W/"<sha-256 prefix>"`), so a polling client can ask "has this
//! page changed?" the same way. Streamed answers (exports) are left as they are.

use actix_web::{
    Error, HttpResponse,
    body::{BodySize, BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{
        Method, StatusCode,
        header::{self, HeaderValue},
    },
    middleware::Next,
};
use sha2::{Digest, Sha256};

/// Whether `If-None-Match` (its comma-separated entity tags, or `*`) matches `current` by the weak
/// comparison the RFC prescribes for it: the opaque tags are equal, `W/` ignored on either side.
pub fn none_match_hits(if_none_match: &str, current: &str) -> bool {
    let opaque = |t: &str| {
        let t = t.trim();
        t.strip_prefix("W/").unwrap_or(t).to_owned()
    };
    let current = opaque(current);
    if_none_match.split(',').map(str::trim).filter(|t| !t.is_empty()).any(|t| t == "*" || opaque(t) == current)
}

/// The weak `ETag` of a body.
pub fn weak_etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("W/\"{}\"", hex::encode(&digest[..16]))
}

fn is_json(res: &HttpResponse<BoxBody>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"))
}

/// The conditional-read middleware.
pub async fn conditional(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let reads = matches!(*req.method(), Method::GET | Method::HEAD);
    let wanted: Vec<String> =
        req.headers().get_all(header::IF_NONE_MATCH).filter_map(|v| v.to_str().ok().map(str::to_owned)).collect();
    let res = next.call(req).await?.map_into_boxed_body();
    if !reads || res.status() != StatusCode::OK {
        return Ok(res);
    }
    let res = if res.headers().contains_key(header::ETAG) {
        res
    } else if is_json(res.response()) && matches!(res.response().body().size(), BodySize::Sized(_)) {
        let (request, response) = res.into_parts();
        let (mut head, body) = response.into_parts();
        let Ok(bytes) = actix_web::body::to_bytes(body).await else {
            return Err(actix_web::error::ErrorInternalServerError("the body could not be read"));
        };
        if let Ok(v) = HeaderValue::from_str(&weak_etag(&bytes)) {
            head.headers_mut().insert(header::ETAG, v);
        }
        ServiceResponse::new(request, head.set_body(BoxBody::new(bytes)))
    } else {
        return Ok(res);
    };
    let current = res.headers().get(header::ETAG).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    if current.is_empty() || !wanted.iter().any(|w| none_match_hits(w, &current)) {
        return Ok(res);
    }
    // 304 keeps the headers a 200 would have had (ETag, Cache-Control, Vary, Link…) but no body.
    let mut not_modified = HttpResponse::new(StatusCode::NOT_MODIFIED);
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            not_modified.headers_mut().append(name.clone(), value.clone());
        }
    }
    Ok(res.into_response(not_modified))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists_and_a_star() {
        assert!(none_match_hits("\"3\"", "\"3\""));
        assert!(none_match_hits("W/\"3\"", "\"3\""));
        assert!(none_match_hits("\"3\"", "W/\"3\""));
        assert!(none_match_hits("\"1\", W/\"2\" ,\"3\"", "\"3\""));
        assert!(none_match_hits("*", "\"7\""));
        assert!(!none_match_hits("\"4\"", "\"3\""));
        assert!(!none_match_hits("\"33\"", "\"3\""));
        assert!(!none_match_hits("", "\"3\""));
    }

    #[test]
    fn a_weak_etag_depends_on_every_byte() {
        assert_ne!(weak_etag(b"{\"a\":1}"), weak_etag(b"{\"a\":2}"));
        assert!(weak_etag(b"x").starts_with("W/\""));
    }
}
