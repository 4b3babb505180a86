//! The record that a network request was answered late (issue 23): a breach of its term with its
//! delay, kept after the reply. `NULL` for requests answered in time or not answered.

use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_helpers::{add_column, drop_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_column(m, "network_requests", json_null("breach")).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_column(m, "network_requests", "breach").await
    }
}
