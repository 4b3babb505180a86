//! Middleware shared by every route.

mod edge;
mod idempotency;
mod rate_limit;

pub use edge::edge;
pub use idempotency::{Fault as IdempotencyFault, Keys as IdempotencyKeys, idempotency};
pub use rate_limit::{Limits as RateLimits, RateLimiter, rate_limit};
