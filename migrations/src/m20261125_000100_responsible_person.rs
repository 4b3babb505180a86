//! The person responsible for the regional system in an organisation (ответственный за работу в
//! цифровой экосистеме ДПО, BU 2.2.4; ответственный специалист муниципальной методической службы,
//! BU 2.3.4): a nullable reference from `organizations` to `persons`. A person who is named
//! cannot be deleted (the reference answers 409) until the designation changes.

use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // An inline REFERENCES clause: SQLite cannot add a foreign key to an existing table any
        // other way, and PostgreSQL accepts the same statement.
        m.alter_table(
            Table::alter()
                .table("organizations")
                .add_column(uuid_null("responsible_person_id").extra("REFERENCES \"persons\" (\"id\")"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_organizations_responsible_person", "organizations", &["responsible_person_id"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_organizations_responsible_person").table("organizations").to_owned())
            .await?;
        m.alter_table(Table::alter().table("organizations").drop_column("responsible_person_id").to_owned()).await
    }
}
