//! The instant the retention job removed a network request's personal-data copies (issue 20,
//! retention per category): the author's name and contacts, the reply's signer and contact, and
//! the text and attachments of a request flagged as holding personal data. `NULL` while they are
//! held; the request itself (number, dates, status, parties) stays for the registers and counts.

use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_helpers::{add_column, drop_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_column(m, "network_requests", timestamp_with_time_zone_null("personal_data_removed_at")).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_column(m, "network_requests", "personal_data_removed_at").await
    }
}
