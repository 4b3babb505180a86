//! `persons` table.
use sea_orm::entity::prelude::*;

/// A row of `persons`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "persons")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub surname: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub position: Option<String>,
    pub name_search: String,
    pub organization_id: Uuid,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub snils: Option<String>,
    pub birth_date: Option<Date>,
    pub hire_date: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
    pub depersonalised_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
