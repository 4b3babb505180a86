//! A version on a sender's outgoing-number template (`network_request_numbering`), so that
//! `PUT /organizations/{id}/request-numbering` takes `If-Match` like every other change. Rows
//! written before start at version 1.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table("network_request_numbering").add_column(big_integer("version").default(1)).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("network_request_numbering").drop_column("version").to_owned()).await
    }
}
