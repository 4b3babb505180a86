//! `outbox` table: change events written with the change, in one transaction.
use sea_orm::entity::prelude::*;

/// A row of `outbox`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub event_id: Uuid,
    pub event_type: String,
    pub resource_type: String,
    pub resource_id: Uuid,
    pub occurred_at: DateTimeUtc,
    pub payload: Json,
    pub personal_data: bool,
    pub region_code: Option<String>,
    pub municipality_code: Option<String>,
    pub organization_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
    pub counterpart_region_code: Option<String>,
    pub counterpart_municipality_code: Option<String>,
    pub counterpart_organization_id: Option<Uuid>,
    pub counterpart_person_id: Option<Uuid>,
    pub request_id: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
