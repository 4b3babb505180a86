//! Middleware shared by every route.

mod conditional;
mod edge;
mod idempotency;
mod outage;
mod pace;
mod rate_limit;

pub use conditional::{conditional, none_match_hits, weak_etag};
pub use edge::edge;
pub use idempotency::{
    Fault as IdempotencyFault, KEY_MAX_LEN, KEY_PATTERN, Keys as IdempotencyKeys, idempotency, is_valid_key,
};
pub use outage::wait_for_database;
pub use pace::{Pace, pace};
pub use rate_limit::{Limits as RateLimits, RateLimiter, rate_limit};
