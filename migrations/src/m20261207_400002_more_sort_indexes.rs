//! Indexes of the remaining list orders (issue 22): agreements by signing date and number, events
//! by the day they are held (the list always filters on the `offering` tag, so it leads the index),
//! routes by status and by last change. Each serves `key, id` in both directions, as in 400001.

use sea_orm_migration::prelude::*;

use crate::schema_helpers::statements_migration;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "CREATE INDEX IF NOT EXISTS ix_agreements_sort_signed ON agreements (signed_on, id)",
    "CREATE INDEX IF NOT EXISTS ix_agreements_sort_number ON agreements (number, id)",
    "CREATE INDEX IF NOT EXISTS ix_offerings_sort_starts ON offerings (offering, starts_on, id)",
    "CREATE INDEX IF NOT EXISTS ix_individual_routes_sort_status ON individual_routes (status, id)",
    "CREATE INDEX IF NOT EXISTS ix_individual_routes_sort_updated ON individual_routes (updated_at, id)",
];

const DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS ix_individual_routes_sort_updated",
    "DROP INDEX IF EXISTS ix_individual_routes_sort_status",
    "DROP INDEX IF EXISTS ix_offerings_sort_starts",
    "DROP INDEX IF EXISTS ix_agreements_sort_number",
    "DROP INDEX IF EXISTS ix_agreements_sort_signed",
];

statements_migration!(UP, DOWN);
