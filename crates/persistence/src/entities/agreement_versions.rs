//! `agreement_versions` table: every signed version's full document with its effective date.
use sea_orm::entity::prelude::*;

/// A row of `agreement_versions`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agreement_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub agreement_id: Uuid,
    pub number: i32,
    pub effective_from: Date,
    pub amendment_id: Option<Uuid>,
    pub document: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
