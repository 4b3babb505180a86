//! Repository implementations, one per aggregate.

mod accounts;
mod audit;
mod health;
mod idempotency;
mod organizations;
mod persons;
mod secrets;

use std::sync::Arc;

pub use accounts::AccountStore;
pub use audit::AuditStore;
pub use health::HealthStore;
pub use idempotency::IdempotencyKeys;
pub use organizations::OrganizationStore;
pub use persons::PersonStore;
pub use secrets::SecretStore;

use crate::Database;

/// Every repository over one database.
#[derive(Clone)]
pub struct Store {
    /// The database.
    pub db: Database,
    /// Organisations.
    pub organizations: Arc<OrganizationStore>,
    /// Persons.
    pub persons: Arc<PersonStore>,
    /// Accounts.
    pub accounts: Arc<AccountStore>,
    /// Audit trail.
    pub audit: Arc<AuditStore>,
    /// Idempotency keys.
    pub idempotency: Arc<IdempotencyKeys>,
    /// Health.
    pub health: Arc<HealthStore>,
    /// Server secrets.
    pub secrets: Arc<SecretStore>,
}

impl Store {
    /// Builds every repository over the database.
    pub fn new(db: Database) -> Self {
        Self {
            organizations: Arc::new(OrganizationStore { db: db.clone() }),
            persons: Arc::new(PersonStore { db: db.clone() }),
            accounts: Arc::new(AccountStore { db: db.clone() }),
            audit: Arc::new(AuditStore { db: db.clone() }),
            idempotency: Arc::new(IdempotencyKeys { db: db.clone() }),
            health: Arc::new(HealthStore { db: db.clone() }),
            secrets: Arc::new(SecretStore { db: db.clone() }),
            db,
        }
    }
}
