//! Database readiness.

use async_trait::async_trait;
use rsnms_domain::{DomainResult, health::HealthCheck};

use crate::Database;

/// Health check over the pool.
#[derive(Debug, Clone)]
pub struct HealthStore {
    pub(crate) db: Database,
}

#[async_trait]
impl HealthCheck for HealthStore {
    async fn ping(&self) -> DomainResult<()> {
        self.db.ping().await
    }

    async fn reachable(&self) -> DomainResult<()> {
        self.db.reachable().await
    }

    fn outage_seen(&self) {
        self.db.outage_seen();
    }
}
