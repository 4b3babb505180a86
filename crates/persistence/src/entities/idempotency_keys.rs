//! `idempotency_keys` table.
use sea_orm::entity::prelude::*;

/// A row of `idempotency_keys`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub subject: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub idem_key: String,
    pub fingerprint: String,
    pub status: Option<i32>,
    pub headers: Option<Json>,
    pub body: Option<Vec<u8>>,
    pub created_at: DateTimeUtc,
    /// The token of the run holding the lease.
    pub holder: Option<Uuid>,
    /// When the holder's lease ends.
    pub lease_until: Option<DateTimeUtc>,
    /// When the holder's change committed (written inside that change's transaction).
    pub committed_at: Option<DateTimeUtc>,
    /// The first resource the holder's change touched.
    pub resource_type: Option<String>,
    /// Its id.
    pub resource_id: Option<Uuid>,
    /// SHA-256 (hex) of the request body of the stored response.
    pub request_sha256: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
