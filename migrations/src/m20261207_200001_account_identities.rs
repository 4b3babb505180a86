//! External identities (issue 21): subjects of trusted OpenID Connect providers linked to local
//! accounts. `generation` is the account's token generation the link last saw, and
//! `tokens_valid_after` the moment it saw it rise: provider tokens issued before are refused,
//! so that revoking an account's tokens ends its provider sessions too.

use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("account_identities")
                .col(pk_uuid("id"))
                .col(uuid("account_id"))
                .col(string_len("provider", 100))
                .col(string_len("subject", 255))
                .col(big_integer("generation"))
                .col(timestamp_with_time_zone_null("tokens_valid_after"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("account_identities", "account_id", "accounts"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index("ux_account_identities_provider_subject", "account_identities", &["provider", "subject"])
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_account_identities_account", "account_identities", &["account_id"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("account_identities").to_owned()).await
    }
}
