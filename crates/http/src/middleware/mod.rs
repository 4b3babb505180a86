//! Middleware shared by every route.

mod edge;
mod idempotency;
mod outage;
mod rate_limit;

pub use edge::edge;
pub use idempotency::{Fault as IdempotencyFault, Keys as IdempotencyKeys, idempotency};
pub use outage::wait_for_database;
pub use rate_limit::{RateLimiter, rate_limit};
