//! Account and token lifecycle (issue 14 items 1–3): a per-account token generation (every
//! access token carries it; raising it revokes them all), soft deletion, failed sign-ins per
//! login (progressive back-off shared by every instance), and refresh-token sessions (a family
//! of single-use refresh tokens, stored as SHA-256 hashes).

use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table("accounts").add_column(big_integer("token_generation").default(0)).to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table("accounts").add_column(timestamp_with_time_zone_null("deleted_at")).to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("sign_in_failures")
                .col(string_len("login_key", 64).primary_key())
                .col(integer("failures"))
                .col(timestamp_with_time_zone("last_failed_at"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("auth_sessions")
                .col(pk_uuid("id"))
                .col(uuid("account_id"))
                .col(big_integer("generation"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_auth_sessions_account", "auth_sessions", &["account_id", "revoked_at"])).await?;
        m.create_table(
            Table::create()
                .table("refresh_tokens")
                .col(string_len("token_hash", 64).primary_key())
                .col(uuid("session_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("spent_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_refresh_tokens_session", "refresh_tokens", &["session_id"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["refresh_tokens", "auth_sessions", "sign_in_failures"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.alter_table(Table::alter().table("accounts").drop_column("deleted_at").to_owned()).await?;
        m.alter_table(Table::alter().table("accounts").drop_column("token_generation").to_owned()).await
    }
}
