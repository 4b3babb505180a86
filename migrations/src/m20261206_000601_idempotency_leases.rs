//! Crash-safe idempotency keys: a claim is a lease held by one run (`holder`, `lease_until`);
//! the run's change marks, in its own transaction, that it committed (`committed_at` and the
//! first changed resource); the stored response carries the SHA-256 of the request body.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 6] = ["holder", "lease_until", "committed_at", "resource_type", "resource_id", "request_sha256"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for column in [
            uuid_null("holder"),
            timestamp_with_time_zone_null("lease_until"),
            timestamp_with_time_zone_null("committed_at"),
            string_len_null("resource_type", 64),
            uuid_null("resource_id"),
            string_len_null("request_sha256", 64),
        ] {
            m.alter_table(Table::alter().table("idempotency_keys").add_column(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS {
            m.alter_table(Table::alter().table("idempotency_keys").drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
