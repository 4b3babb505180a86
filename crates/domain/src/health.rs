//! Readiness of the store.

use async_trait::async_trait;

use crate::DomainResult;

/// Checks that the database answers.
#[async_trait]
pub trait HealthCheck: Send + Sync {
    /// `Ok` when the database answers a trivial query.
    async fn ping(&self) -> DomainResult<()>;
    /// After an outage was seen ([`Self::outage_seen`]), waits up to the pool's acquire timeout
    /// for the database to answer again (`Err` when it does not); at once otherwise.
    async fn reachable(&self) -> DomainResult<()>;
    /// Notes that a request met the database away.
    fn outage_seen(&self);
}
