//! `diagnostic_campaigns` table.
use sea_orm::entity::prelude::*;

/// A row of `diagnostic_campaigns`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "diagnostic_campaigns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub instrument: String,
    pub period_start: Date,
    pub period_end: Date,
    pub organizer_id: Uuid,
    pub target_group: String,
    pub target_description: Option<String>,
    pub scale: Json,
    pub competency_ids: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
