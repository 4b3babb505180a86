//! Middleware shared by every route.

mod edge;
mod idempotency;
mod pace;
mod rate_limit;

pub use edge::edge;
pub use idempotency::{Keys as IdempotencyKeys, idempotency};
pub use pace::{Pace, pace};
pub use rate_limit::{RateLimiter, rate_limit};
