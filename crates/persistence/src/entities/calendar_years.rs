//! `calendar_years` table: one layer (`federal` or a region code) of one year.
use sea_orm::entity::prelude::*;

/// A row of `calendar_years`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_years")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub layer: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    pub source: String,
    pub non_working_days: Json,
    pub working_weekend_days: Json,
    pub shortened_days: Option<Json>,
    pub working_days_total: Option<i32>,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
