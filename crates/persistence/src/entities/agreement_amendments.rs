//! `agreement_amendments` table: supplementary agreements.
use sea_orm::entity::prelude::*;

/// A row of `agreement_amendments`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agreement_amendments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub agreement_id: Uuid,
    pub number: String,
    pub signed_on: Date,
    pub effective_from: Date,
    pub description: Option<String>,
    pub changes: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
