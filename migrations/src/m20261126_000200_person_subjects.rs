//! Teaching subjects of persons (преподаваемые предметы), one row per person and subject, like
//! `person_roles`: filtered with an indexed `IN (SELECT person_id … WHERE subject = ?)` and grouped
//! by subject in the diagnostics aggregate, the same on SQLite and PostgreSQL.

use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("person_subjects")
                .col(uuid("person_id"))
                .col(string_len("subject", 100))
                .primary_key(Index::create().col("person_id").col("subject"))
                .foreign_key(
                    ForeignKey::create()
                        .from("person_subjects", "person_id")
                        .to("persons", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_person_subjects_subject", "person_subjects", &["subject", "person_id"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("person_subjects").to_owned()).await
    }
}
