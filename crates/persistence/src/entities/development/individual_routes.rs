//! `individual_routes` table (ИОМ).
use sea_orm::entity::prelude::*;

/// A row of `individual_routes`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "individual_routes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_id: Uuid,
    pub tutor_id: Uuid,
    pub period_start: Date,
    pub period_end: Date,
    pub status: String,
    pub diagnostic_ids: Json,
    pub deficit_competency_ids: Json,
    pub steps: Json,
    pub transfer: Json,
    pub repeat_diagnostic_on: Option<Date>,
    pub repeat_campaign_id: Option<Uuid>,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTimeUtc>,
    pub started_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
