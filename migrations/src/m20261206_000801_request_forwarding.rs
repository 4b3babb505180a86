//! Forwarding a network request to the competent participant (issue 23 item 5): the original
//! links to the new request (`forwarded_to_id`), the new one back (`forwarded_from_id`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["forwarded_to_id", "forwarded_from_id"] {
            m.alter_table(Table::alter().table("network_requests").add_column(uuid_null(column)).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["forwarded_to_id", "forwarded_from_id"] {
            m.alter_table(Table::alter().table("network_requests").drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
