//! `agreements` table: the current projection of each agreement.
use sea_orm::entity::prelude::*;

/// A row of `agreements`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agreements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub number: String,
    pub lifecycle: String,
    pub region_code: String,
    pub municipality_code: String,
    pub municipality_name: Option<String>,
    pub regional_authority_id: Uuid,
    pub regional_institute_id: Uuid,
    pub municipal_authority_id: Uuid,
    pub signed_on: Option<Date>,
    pub valid_from: Option<Date>,
    pub valid_until: Date,
    pub terminated_on: Option<Date>,
    pub termination_reason: Option<String>,
    pub document: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
