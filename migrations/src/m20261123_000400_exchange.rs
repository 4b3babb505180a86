//! Exchange: the publication order of the outbox (the change feed's cursor), webhook
//! subscriptions, their deliveries, and named cursors of background consumers.

use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Publication order, assigned after commit (see docs/API-DESIGN.md, "Change feed").
        m.alter_table(Table::alter().table("outbox").add_column(big_integer_null("pub_seq")).to_owned()).await?;
        m.create_index(index("ix_outbox_pub_seq", "outbox", &["pub_seq"])).await?;
        m.create_index(index("ix_outbox_type_pub_seq", "outbox", &["resource_type", "pub_seq"])).await?;

        m.create_table(
            Table::create()
                .table("exchange_cursors")
                .col(string_len("name", 64).primary_key())
                .col(big_integer("position"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("webhook_subscriptions")
                .col(pk_uuid("id"))
                .col(string_len("owner_subject", 255))
                .col(json("owner"))
                .col(string_len("url", 2048))
                .col(json("event_types"))
                .col(string_len("secret", 128))
                .col(boolean("active"))
                .col(string_len_null("disabled_reason", 500))
                .col(integer("consecutive_failures"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(big_integer("version"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_webhook_subscriptions_owner", "webhook_subscriptions", &["owner_subject", "id"]))
            .await?;

        m.create_table(
            Table::create()
                .table("webhook_deliveries")
                .col(pk_uuid("id"))
                .col(uuid("subscription_id"))
                .col(uuid("event_id"))
                .col(big_integer("pub_seq"))
                .col(string_len("event_type", 100))
                .col(json("body"))
                .col(string_len("status", 16))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(timestamp_with_time_zone_null("leased_until"))
                .col(string_len_null("lease_owner", 64))
                .col(integer_null("last_status_code"))
                .col(string_len_null("last_error", 500))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("delivered_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("webhook_deliveries", "subscription_id")
                        .to("webhook_subscriptions", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            index("ux_webhook_deliveries_event", "webhook_deliveries", &["subscription_id", "event_id"])
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_webhook_deliveries_due", "webhook_deliveries", &["status", "next_attempt_at"]))
            .await?;
        m.create_index(index("ix_webhook_deliveries_subscription", "webhook_deliveries", &["subscription_id", "id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["webhook_deliveries", "webhook_subscriptions", "exchange_cursors"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.drop_index(Index::drop().name("ix_outbox_type_pub_seq").table("outbox").to_owned()).await?;
        m.drop_index(Index::drop().name("ix_outbox_pub_seq").table("outbox").to_owned()).await?;
        m.alter_table(Table::alter().table("outbox").drop_column("pub_seq").to_owned()).await?;
        Ok(())
    }
}
