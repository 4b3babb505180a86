//! Server secrets generated once and shared by every instance over the same database.

use chrono::Utc;
use rsnms_domain::DomainResult;
use sea_orm::{ActiveValue::Set, EntityTrait};

use crate::{
    Database,
    entities::server_secrets::{ActiveModel, Entity},
    error::DbResultExt,
};

/// Secret store.
#[derive(Debug, Clone)]
pub struct SecretStore {
    pub(crate) db: Database,
}

impl SecretStore {
    /// Returns the named secret, storing `generate()` first when none exists. Concurrent first
    /// starts agree on one value: the insert that loses the race is ignored and the winner read.
    pub async fn get_or_create(&self, name: &str, generate: impl FnOnce() -> String) -> DomainResult<String> {
        let am = ActiveModel { name: Set(name.to_owned()), value: Set(generate()), created_at: Set(Utc::now()) };
        Entity::insert(am).on_conflict_do_nothing().exec_without_returning(&self.db.exec()).await.db()?;
        let row = Entity::find_by_id(name.to_owned()).one(&self.db.exec()).await.db()?;
        row.map(|r| r.value).ok_or_else(|| rsnms_domain::DomainError::internal(format!("secret {name} missing")))
    }
}
