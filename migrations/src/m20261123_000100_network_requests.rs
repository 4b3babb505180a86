//! Network requests, deadline policies, production calendar years, and the outgoing-number
//! counters and formats of senders.

use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("calendar_years")
                .col(string_len("layer", 16))
                .col(integer("year"))
                .col(text("source"))
                .col(json("non_working_days"))
                .col(json("working_weekend_days"))
                .col(json_null("shortened_days"))
                .col(integer_null("working_days_total"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(big_integer("version"))
                .primary_key(Index::create().col("layer").col("year"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("deadline_policies")
                .col(pk_uuid("id"))
                .col(string_len("code", 64).unique_key())
                .col(string_len("name", 500))
                .col(integer("term_value"))
                .col(string_len("term_unit", 16))
                .col(text("legal_basis"))
                .col(integer("max_extensions"))
                .col(integer("max_extension_days"))
                .col(boolean("is_default"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(big_integer("version"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("network_requests")
                .col(pk_uuid("id"))
                .col(string_len("status", 16))
                .col(uuid("sender_organization_id"))
                .col(string_len("sender_name", 500))
                .col(uuid_null("addressee_organization_id"))
                .col(string_len_null("addressee_name", 500))
                .col(string_len_null("addressee_region_code", 2))
                .col(string_len_null("addressee_municipality_code", 32))
                .col(string_len("sender_region_code", 2))
                .col(string_len_null("sender_municipality_code", 32))
                .col(text_null("reply_contact"))
                .col(date_null("sent_on"))
                .col(json("author"))
                .col(string_len_null("subject", 500))
                .col(text_null("body"))
                .col(string_len("channel", 16))
                .col(string_len_null("outgoing_number", 100))
                .col(integer_null("outgoing_year"))
                .col(big_integer_null("outgoing_seq"))
                .col(string_len_null("incoming_number", 100))
                .col(date_null("received_on"))
                .col(uuid("policy_id"))
                .col(json_null("deadline"))
                .col(date_null("due_on"))
                .col(timestamp_with_time_zone_null("due_at"))
                .col(json_null("reply"))
                .col(boolean("contains_personal_data"))
                .col(text_null("personal_data_basis"))
                .col(json("attachments"))
                .col(uuid_null("agreement_id"))
                .col(json("history"))
                .col(timestamp_with_time_zone_null("due_soon_notified_at"))
                .col(timestamp_with_time_zone_null("overdue_notified_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(big_integer("version"))
                .foreign_key(
                    ForeignKey::create().from("network_requests", "sender_organization_id").to("organizations", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("network_requests", "addressee_organization_id")
                        .to("organizations", "id"),
                )
                .foreign_key(ForeignKey::create().from("network_requests", "policy_id").to("deadline_policies", "id"))
                .to_owned(),
        )
        .await?;
        let t = "network_requests";
        m.create_index(index("ix_network_requests_sender", t, &["sender_organization_id", "id"])).await?;
        m.create_index(index("ix_network_requests_addressee", t, &["addressee_organization_id", "id"])).await?;
        m.create_index(index("ix_network_requests_status", t, &["status", "id"])).await?;
        m.create_index(index("ix_network_requests_channel", t, &["channel", "id"])).await?;
        m.create_index(index("ix_network_requests_sent_on", t, &["sent_on", "id"])).await?;
        m.create_index(index("ix_network_requests_due", t, &["status", "due_at", "id"])).await?;
        m.create_index(index("ix_network_requests_due_on", t, &["due_on", "id"])).await?;
        m.create_index(index(
            "ix_network_requests_sender_territory",
            t,
            &["sender_region_code", "sender_municipality_code", "status"],
        ))
        .await?;
        m.create_index(index(
            "ix_network_requests_addressee_territory",
            t,
            &["addressee_region_code", "addressee_municipality_code", "status"],
        ))
        .await?;
        m.create_index(
            index("ux_network_requests_outgoing", t, &["sender_organization_id", "outgoing_year", "outgoing_seq"])
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("network_request_counters")
                .col(uuid("organization_id"))
                .col(integer("year"))
                .col(big_integer("last_seq"))
                .primary_key(Index::create().col("organization_id").col("year"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("network_request_numbering")
                .col(uuid("organization_id").primary_key())
                .col(string_len("format", 100))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "network_request_numbering",
            "network_request_counters",
            "network_requests",
            "deadline_policies",
            "calendar_years",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
