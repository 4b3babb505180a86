//! Readiness of the store.

use async_trait::async_trait;

use crate::DomainResult;

/// Checks that the database answers.
#[async_trait]
pub trait HealthCheck: Send + Sync {
    /// `Ok` when the database answers a trivial query.
    async fn ping(&self) -> DomainResult<()>;
}
