//! `import_jobs` table: an asynchronous import, its options, progress, lease and outcome.
use sea_orm::entity::prelude::*;

/// A row of `import_jobs`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub owner_subject: String,
    pub owner: Json,
    pub request_id: String,
    pub dataset: String,
    pub options: Json,
    pub format: String,
    pub charset: String,
    pub status: String,
    pub body_bytes: i64,
    pub body_sha256: String,
    pub received: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub checkpoint: Option<Json>,
    pub summary: Option<Json>,
    pub problem: Option<Json>,
    pub attempts: i32,
    pub lease_owner: Option<String>,
    pub leased_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    pub version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
