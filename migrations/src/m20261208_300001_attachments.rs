//! Stored attachments (issue 22 item 5): `blobs` holds each distinct content once, keyed by its
//! SHA-256 (content addressing: identical files are stored once); `attachments` are the
//! references of parents (network requests and their replies, route evidence) to blobs. The
//! foreign key from a reference to its blob keeps a blob alive while anything refers to it.

use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // `blob` is BYTEA on PostgreSQL and BLOB on SQLite.
        m.create_table(
            Table::create()
                .table("blobs")
                .col(string_len("sha256", 64).primary_key())
                .col(big_integer("size"))
                .col(string_len("media_type", 127))
                .col(blob("content"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("attachments")
                .col(pk_uuid("id"))
                .col(string_len("parent_type", 32))
                .col(uuid("parent_id"))
                .col(string_len("part", 16))
                .col(string_len("name", 255))
                .col(string_len("media_type", 127))
                .col(big_integer("size"))
                .col(string_len("sha256", 64))
                .col(string_len("created_by", 200))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("attachments", "sha256").to("blobs", "sha256"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_attachments_parent", "attachments", &["parent_type", "parent_id", "id"])).await?;
        m.create_index(index("ix_attachments_sha256", "attachments", &["sha256"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("attachments").to_owned()).await?;
        m.drop_table(Table::drop().table("blobs").to_owned()).await
    }
}
