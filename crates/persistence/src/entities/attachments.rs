//! `attachments` table: a parent's reference to a stored blob, with the file's name.
use sea_orm::entity::prelude::*;

/// A row of `attachments`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub parent_type: String,
    pub parent_id: Uuid,
    pub part: String,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
