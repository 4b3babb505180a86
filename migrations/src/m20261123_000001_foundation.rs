//! Organisations, persons, accounts, idempotency keys, the audit trail, the outbox and
//! server secrets.

use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("organizations")
                .col(pk_uuid("id"))
                .col(string_len("name", 500))
                .col(string_len("name_search", 500))
                .col(string_len_null("short_name", 200))
                .col(string_len("kind", 64))
                .col(string_len("level", 32))
                .col(uuid_null("parent_id"))
                .col(string_len("region_code", 2))
                .col(string_len_null("municipality_code", 32))
                .col(string_len_null("municipality_name", 200))
                .col(string_len_null("inn", 12))
                .col(string_len("time_zone", 64))
                .col(json("contacts"))
                .col(date_null("opened_on"))
                .col(date_null("closed_on"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(big_integer("version"))
                .foreign_key(ForeignKey::create().from("organizations", "parent_id").to("organizations", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_organizations_territory",
            "organizations",
            &["region_code", "municipality_code", "id"],
        ))
        .await?;
        m.create_index(index("ix_organizations_parent", "organizations", &["parent_id", "id"])).await?;
        m.create_index(index("ix_organizations_kind", "organizations", &["kind", "id"])).await?;
        m.create_index(index("ix_organizations_inn", "organizations", &["inn"])).await?;

        m.create_table(
            Table::create()
                .table("persons")
                .col(pk_uuid("id"))
                .col(string_len("surname", 200))
                .col(string_len("first_name", 200))
                .col(string_len_null("patronymic", 200))
                .col(string_len_null("position", 200))
                .col(string_len("name_search", 620))
                .col(uuid("organization_id"))
                .col(string_len_null("email", 254))
                .col(string_len_null("phone", 16))
                .col(string_len_null("snils", 11).unique_key())
                .col(date_null("birth_date"))
                .col(date_null("hire_date"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(big_integer("version"))
                .foreign_key(ForeignKey::create().from("persons", "organization_id").to("organizations", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_persons_organization", "persons", &["organization_id", "id"])).await?;

        m.create_table(
            Table::create()
                .table("person_roles")
                .col(uuid("person_id"))
                .col(string_len("role", 32))
                .primary_key(Index::create().col("person_id").col("role"))
                .foreign_key(
                    ForeignKey::create()
                        .from("person_roles", "person_id")
                        .to("persons", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_person_roles_role", "person_roles", &["role", "person_id"])).await?;

        m.create_table(
            Table::create()
                .table("accounts")
                .col(pk_uuid("id"))
                .col(string_len("kind", 16))
                .col(string_len("login", 100))
                .col(string_len("secret_hash", 200))
                .col(string_len("role", 32))
                .col(uuid_null("organization_id"))
                .col(uuid_null("person_id"))
                .col(boolean("disabled"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ux_accounts_login", "accounts", &["kind", "login"]).unique().to_owned()).await?;

        m.create_table(
            Table::create()
                .table("idempotency_keys")
                .col(string_len("subject", 100))
                .col(string_len("idem_key", 255))
                .col(string_len("fingerprint", 64))
                .col(integer_null("status"))
                .col(json_null("headers"))
                .col(blob_null("body"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("subject").col("idem_key"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_idempotency_created", "idempotency_keys", &["created_at"])).await?;

        m.create_table(
            Table::create()
                .table("audit_log")
                .col(pk_uuid("id"))
                .col(timestamp_with_time_zone("at"))
                .col(string_len("actor_subject", 100))
                .col(string_len("actor_role", 32))
                .col(string_len("action", 64))
                .col(string_len("resource_type", 64))
                .col(uuid_null("resource_id"))
                .col(string_len("request_id", 64))
                .col(json("details"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_audit_resource", "audit_log", &["resource_type", "resource_id", "id"])).await?;
        m.create_index(index("ix_audit_actor", "audit_log", &["actor_subject", "id"])).await?;

        m.create_table(
            Table::create()
                .table("outbox")
                .col(big_pk_auto("seq"))
                .col(uuid_uniq("event_id"))
                .col(string_len("event_type", 100))
                .col(string_len("resource_type", 64))
                .col(uuid("resource_id"))
                .col(timestamp_with_time_zone("occurred_at"))
                .col(json("payload"))
                .col(boolean("personal_data"))
                .col(string_len_null("region_code", 2))
                .col(string_len_null("municipality_code", 32))
                .col(uuid_null("organization_id"))
                .col(uuid_null("person_id"))
                .col(string_len("request_id", 64))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_outbox_resource", "outbox", &["resource_type", "seq"])).await?;

        m.create_table(
            Table::create()
                .table("server_secrets")
                .col(string_len("name", 64).primary_key())
                .col(text("value"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "server_secrets",
            "outbox",
            "audit_log",
            "idempotency_keys",
            "accounts",
            "person_roles",
            "persons",
            "organizations",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
