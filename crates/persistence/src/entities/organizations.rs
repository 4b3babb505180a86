//! `organizations` table.
use sea_orm::entity::prelude::*;

/// A row of `organizations`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub name_search: String,
    pub short_name: Option<String>,
    pub kind: String,
    pub level: String,
    pub parent_id: Option<Uuid>,
    pub region_code: String,
    pub municipality_code: Option<String>,
    pub municipality_name: Option<String>,
    pub inn: Option<String>,
    pub time_zone: String,
    pub contacts: Json,
    pub opened_on: Option<Date>,
    pub closed_on: Option<Date>,
    pub responsible_person_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
