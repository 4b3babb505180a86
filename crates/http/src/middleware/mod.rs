//! Middleware shared by every route.

mod edge;
mod idempotency;

pub use edge::edge;
pub use idempotency::{Keys as IdempotencyKeys, idempotency};
