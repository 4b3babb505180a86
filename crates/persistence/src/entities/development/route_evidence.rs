//! `route_evidence` table: the append-only evidence log of route steps.
use sea_orm::entity::prelude::*;

/// A row of `route_evidence`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "route_evidence")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub route_id: Uuid,
    pub step_id: Uuid,
    pub kind: String,
    pub description: String,
    pub url: Option<String>,
    pub submitted_by: String,
    pub submitted_at: DateTimeUtc,
    pub status: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub review_comment: Option<String>,
    /// Reviewer's rating, 1…5.
    pub rating: Option<i16>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
