//! `diagnostic_results` table.
use sea_orm::entity::prelude::*;

/// A row of `diagnostic_results`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "diagnostic_results")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub person_id: Uuid,
    pub competency_id: Uuid,
    pub score: Option<f64>,
    pub level: Option<String>,
    pub assessed_on: Date,
    pub deficit: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
