//! Monitoring: the region's own indicator definitions (issue 7 item 2), built from the same
//! blocks as the built-in ones (which stay defined by the code and are not stored here).
//! Never deleted, only retired: the code of a definition stays taken for ever.

use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("monitoring_definitions")
            .col(pk_uuid("id"))
            .col(string_len_uniq("code", 64))
            .col(string_len("name", 500))
            .col(text_null("description"))
            .col(string_len("numerator", 64))
            .col(string_len_null("denominator", 64))
            .col(string_len("accumulation", 32))
            .col(string_len("unit", 32))
            .col(string_len("source", 500))
            .col(string_len_null("agreement_key", 16))
            .col(string_len("status", 16))
            .col(timestamp_with_time_zone_null("retired_at"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .col(big_integer("version"));
        m.create_table(t.to_owned()).await?;
        m.create_index(index("ix_monitoring_definitions_status", "monitoring_definitions", &["status", "id"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("monitoring_definitions").to_owned()).await
    }
}
