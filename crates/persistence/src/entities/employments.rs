//! `employments` table: a person's employment periods (issue 16.2).
use sea_orm::entity::prelude::*;

/// One employment period.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "employments")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The person.
    pub person_id: Uuid,
    /// The employing organisation.
    pub organization_id: Uuid,
    /// Position category (wire name).
    pub category: String,
    /// First day.
    pub started_on: Option<Date>,
    /// Last day.
    pub ended_on: Option<Date>,
    /// Written at.
    pub created_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
