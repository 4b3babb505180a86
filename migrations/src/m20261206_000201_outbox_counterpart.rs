//! A second audience of a change event: the counterpart party (region, municipality,
//! organisation, person) of a two-party resource — the addressee of a sent network request, the
//! tutor of a route, the mentor of a pair — so that both parties (and the levels above each)
//! receive its events in the feed and by webhooks.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 4] = [
    "counterpart_region_code",
    "counterpart_municipality_code",
    "counterpart_organization_id",
    "counterpart_person_id",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        m.alter_table(Table::alter().table("outbox").add_column(string_len_null(COLUMNS[0], 2)).to_owned()).await?;
        m.alter_table(Table::alter().table("outbox").add_column(string_len_null(COLUMNS[1], 32)).to_owned()).await?;
        m.alter_table(Table::alter().table("outbox").add_column(uuid_null(COLUMNS[2])).to_owned()).await?;
        m.alter_table(Table::alter().table("outbox").add_column(uuid_null(COLUMNS[3])).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for c in COLUMNS {
            m.alter_table(Table::alter().table("outbox").drop_column(c).to_owned()).await?;
        }
        Ok(())
    }
}
