//! Request rate limiting per caller (the token's subject, or the client address without a token),
//! in fixed one-minute windows, per server instance. Every `/api` response carries
//! `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`; past the limit the answer is 429
//! with `Retry-After`. `RSNMS_RATE_LIMIT_PER_MINUTE=0` turns it off.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use actix_web::{
    Error,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{
        StatusCode,
        header::{self, HeaderName, HeaderValue},
    },
    middleware::Next,
    web,
};
use rsnms_domain::Msg;
use sha2::{Digest, Sha256};

use crate::problem::ApiError;

const WINDOW: Duration = Duration::from_secs(60);

/// The limiter's state.
#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    windows: Mutex<HashMap<[u8; 16], (Instant, u32)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests per caller and minute (0: unlimited).
    pub fn new(per_minute: u32) -> Self {
        Self { limit: per_minute, windows: Mutex::new(HashMap::new()) }
    }

    /// Counts a request; returns (allowed, remaining, seconds until the window resets).
    fn hit(&self, key: [u8; 16]) -> (bool, u32, u64) {
        let now = Instant::now();
        let Ok(mut map) = self.windows.lock() else { return (true, self.limit, 60) };
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = map.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        let reset = WINDOW.saturating_sub(now.duration_since(entry.0)).as_secs().max(1);
        if entry.1 >= self.limit {
            return (false, 0, reset);
        }
        entry.1 += 1;
        (true, self.limit - entry.1, reset)
    }
}

fn caller_key(req: &ServiceRequest) -> [u8; 16] {
    let mut h = Sha256::new();
    match req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        Some(auth) => h.update(auth.as_bytes()),
        None => h.update(req.connection_info().peer_addr().unwrap_or("-").as_bytes()),
    }
    let digest = h.finalize();
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

fn set(res: &mut ServiceResponse<BoxBody>, name: &'static str, value: u64) {
    if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
        res.headers_mut().insert(HeaderName::from_static(name), v);
    }
}

/// The rate-limit middleware (on `/api/v1`).
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(limiter) = req.app_data::<web::Data<RateLimiter>>().cloned().filter(|l| l.limit > 0) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let (allowed, remaining, reset) = limiter.hit(caller_key(&req));
    let mut res = if allowed {
        next.call(req).await?.map_into_boxed_body()
    } else {
        req.error_response(
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                Msg::new("Слишком много запросов", "Too many requests"),
                Msg::new(format!("Повторите через {reset} с"), format!("Retry in {reset} s")),
            )
            .with_header(header::RETRY_AFTER, reset.to_string()),
        )
    };
    set(&mut res, "ratelimit-limit", u64::from(limiter.limit));
    set(&mut res, "ratelimit-remaining", u64::from(remaining));
    set(&mut res, "ratelimit-reset", reset);
    Ok(res)
}
