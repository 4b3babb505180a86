//! `network_requests` table.
use sea_orm::entity::prelude::*;

/// A row of `network_requests`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "network_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub status: String,
    pub sender_organization_id: Uuid,
    pub sender_name: String,
    pub addressee_organization_id: Option<Uuid>,
    pub addressee_name: Option<String>,
    pub addressee_region_code: Option<String>,
    pub addressee_municipality_code: Option<String>,
    pub sender_region_code: String,
    pub sender_municipality_code: Option<String>,
    pub reply_contact: Option<String>,
    pub sent_on: Option<Date>,
    pub author: Json,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub channel: String,
    pub outgoing_number: Option<String>,
    pub outgoing_year: Option<i32>,
    pub outgoing_seq: Option<i64>,
    pub incoming_number: Option<String>,
    pub received_on: Option<Date>,
    pub received_at: Option<DateTimeUtc>,
    pub policy_id: Uuid,
    pub deadline: Option<Json>,
    pub due_on: Option<Date>,
    pub due_at: Option<DateTimeUtc>,
    pub due_soon_at: Option<DateTimeUtc>,
    pub reply: Option<Json>,
    pub breach: Option<Json>,
    pub contains_personal_data: bool,
    pub personal_data_basis: Option<String>,
    pub personal_data_removed_at: Option<DateTimeUtc>,
    pub attachments: Json,
    pub agreement_id: Option<Uuid>,
    pub history: Json,
    pub forwarded_to_id: Option<Uuid>,
    pub forwarded_from_id: Option<Uuid>,
    pub due_soon_notified_at: Option<DateTimeUtc>,
    pub overdue_notified_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
