//! `monitoring_definitions` table.
use sea_orm::entity::prelude::*;

/// A row of `monitoring_definitions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "monitoring_definitions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub numerator: String,
    pub denominator: Option<String>,
    pub accumulation: String,
    pub unit: String,
    pub source: String,
    pub agreement_key: Option<String>,
    pub status: String,
    pub retired_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
