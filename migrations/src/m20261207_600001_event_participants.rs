//! Event participation (issue 17): per event and person one registration with its status
//! (registered / attended / absent / cancelled); an event's `capacity` limits the registrations
//! that hold a place.

use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("event_participants")
                .col(pk_uuid("id"))
                .col(uuid("event_id"))
                .col(uuid("person_id"))
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(big_integer("version"))
                .foreign_key(ForeignKey::create().from("event_participants", "event_id").to("offerings", "id"))
                .foreign_key(ForeignKey::create().from("event_participants", "person_id").to("persons", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index("ux_event_participants_event_person", "event_participants", &["event_id", "person_id"])
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_event_participants_person", "event_participants", &["person_id", "id"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("event_participants").to_owned()).await
    }
}
