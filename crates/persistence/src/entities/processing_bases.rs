//! `processing_bases` table.
use sea_orm::entity::prelude::*;

/// A row of `processing_bases`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "processing_bases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_id: Uuid,
    pub purpose: String,
    pub kind: String,
    pub consent_form: Option<String>,
    pub document_ref: Option<String>,
    pub legal_act: Option<String>,
    pub given_on: Date,
    pub valid_until: Option<Date>,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
    pub withdrawn_on: Option<Date>,
    pub withdrawn_by: Option<String>,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
