//! Forwarding a network request to the competent participant (issue 23 item 5): the original
//! links to the new request (`forwarded_to_id`), the new one back (`forwarded_from_id`).

use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_helpers::{add_column, drop_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["forwarded_to_id", "forwarded_from_id"] {
            add_column(m, "network_requests", uuid_null(column)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["forwarded_to_id", "forwarded_from_id"] {
            drop_column(m, "network_requests", column).await?;
        }
        Ok(())
    }
}
