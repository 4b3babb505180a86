//! `offering_competencies` table: which competencies an event or a site develops.
use sea_orm::entity::prelude::*;

/// A row of `offering_competencies`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offering_competencies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub offering_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub competency_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
