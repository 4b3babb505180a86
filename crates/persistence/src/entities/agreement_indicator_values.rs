//! `agreement_indicator_values` table: actual values reported for agreement indicators.
use sea_orm::entity::prelude::*;

/// A row of `agreement_indicator_values`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agreement_indicator_values")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub agreement_id: Uuid,
    pub indicator_id: Uuid,
    pub year: i32,
    pub quarter: Option<i16>,
    pub value: f64,
    pub source: String,
    pub comment: Option<String>,
    pub reported_by: String,
    pub reporter_role: String,
    pub flags: Json,
    pub reported_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
