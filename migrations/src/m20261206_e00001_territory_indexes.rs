//! Indexes that lead with the territory (issue 19, the whole country on one database). A caller
//! scoped to a municipality reads the change feed by `region_code, municipality_code` of the event
//! or of its counterpart, in `pub_seq` order: without these two indexes PostgreSQL scanned the whole
//! outbox of a 30-region database for one municipality's page (≈ 870 ms against ≈ 20 ms on the
//! region alone; ≈ 25 ms with them). The list filter `municipality_code=` (persons and others)
//! names organisations by municipality code alone, which `ix_organizations_territory` (region
//! first) cannot serve: `ix_organizations_municipality`. The feed's indexes are partial like the
//! other publication indexes (`WHERE pub_seq IS NOT NULL`, implied by `pub_seq > cursor`). Both
//! engines take the same statements; one transaction.

use sea_orm_migration::prelude::*;

use crate::schema_helpers::statements_migration;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "CREATE INDEX IF NOT EXISTS ix_organizations_municipality ON organizations (municipality_code, id)",
    "CREATE INDEX IF NOT EXISTS ix_outbox_territory_pub_seq ON outbox (region_code, municipality_code, pub_seq) \
     WHERE pub_seq IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS ix_outbox_counterpart_territory_pub_seq ON outbox \
     (counterpart_region_code, counterpart_municipality_code, pub_seq) WHERE pub_seq IS NOT NULL",
];

const DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS ix_outbox_counterpart_territory_pub_seq",
    "DROP INDEX IF EXISTS ix_outbox_territory_pub_seq",
    "DROP INDEX IF EXISTS ix_organizations_municipality",
];

statements_migration!(UP, DOWN);
