//! `programs` table.
use sea_orm::entity::prelude::*;

/// A row of `programs`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    pub kind: String,
    pub hours: i32,
    pub form: String,
    pub developer_id: Uuid,
    pub audience: Option<String>,
    pub annotation: Option<String>,
    pub planned_results: Option<String>,
    pub competency_ids: Json,
    pub federal_registry: bool,
    pub registry_id: Option<String>,
    pub registry_included_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
