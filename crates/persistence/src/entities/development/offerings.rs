//! `offerings` table: methodological events and internship sites.
use sea_orm::entity::prelude::*;

/// A row of `offerings`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offerings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub offering: String,
    pub title: String,
    pub kind: Option<String>,
    pub level: Option<String>,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub organization_id: Uuid,
    pub competency_ids: Json,
    pub participants: Option<i32>,
    pub capacity: Option<i32>,
    pub decision: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
