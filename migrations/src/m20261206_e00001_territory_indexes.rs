//! Indexes that lead with the territory (issue 19, the whole country on one database): a caller
//! scoped to a municipality reads organisations by `region_code, municipality_code` (every scoped
//! list names its organisations through that sub-query) and the change feed by the same two
//! columns of the event or of its counterpart, in `pub_seq` order. Without them, a database that
//! holds many regions scans every region's organisations, and the feed walks every region's
//! events until it has filled a page of one municipality's. The feed's indexes are partial like
//! the other publication indexes (`WHERE pub_seq IS NOT NULL`, implied by `pub_seq > cursor`).
//! Both engines take the same statements; one transaction.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "CREATE INDEX IF NOT EXISTS ix_organizations_territory ON organizations (region_code, municipality_code, id)",
    "CREATE INDEX IF NOT EXISTS ix_outbox_territory_pub_seq ON outbox (region_code, municipality_code, pub_seq) \
     WHERE pub_seq IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS ix_outbox_counterpart_territory_pub_seq ON outbox \
     (counterpart_region_code, counterpart_municipality_code, pub_seq) WHERE pub_seq IS NOT NULL",
];

const DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS ix_outbox_counterpart_territory_pub_seq",
    "DROP INDEX IF EXISTS ix_outbox_territory_pub_seq",
    "DROP INDEX IF EXISTS ix_organizations_territory",
];

async fn run(m: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    for sql in statements {
        m.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, UP).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, DOWN).await
    }
}
