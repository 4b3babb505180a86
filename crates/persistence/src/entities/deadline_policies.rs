//! `deadline_policies` table.
use sea_orm::entity::prelude::*;

/// A row of `deadline_policies`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deadline_policies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub term_value: i32,
    pub term_unit: String,
    pub legal_basis: String,
    pub max_extensions: i32,
    pub max_extension_days: i32,
    pub due_soon_hours: i32,
    pub is_default: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
