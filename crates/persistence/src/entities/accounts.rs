//! `accounts` table.
use sea_orm::entity::prelude::*;

/// A row of `accounts`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub login: String,
    pub secret_hash: String,
    pub role: String,
    pub organization_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
    pub disabled: bool,
    pub created_at: DateTimeUtc,
    pub token_generation: i64,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
