//! `route_versions` table: every version of a route, with who and when.
use sea_orm::entity::prelude::*;

/// A row of `route_versions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "route_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub route_id: Uuid,
    pub version: i64,
    pub action: String,
    pub status: String,
    pub snapshot: Json,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
