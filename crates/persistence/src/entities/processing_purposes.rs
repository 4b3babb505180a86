//! `processing_purposes` table.
use sea_orm::entity::prelude::*;

/// A row of `processing_purposes`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "processing_purposes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub id: Uuid,
    pub name_ru: String,
    pub name_en: String,
    pub shipped: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
