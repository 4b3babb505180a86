//! The record that a network request was answered late (issue 23): a breach of its term with its
//! delay, kept after the reply. `NULL` for requests answered in time or not answered.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("network_requests").add_column(json_null("breach")).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("network_requests").drop_column("breach").to_owned()).await
    }
}
