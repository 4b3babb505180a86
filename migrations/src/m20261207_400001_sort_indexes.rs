//! Indexes of the list orders (issue 22): each order reads `key…, id` ascending or descending,
//! so one index on `(key…, id)` serves both directions and a page deep in the list starts where
//! its cursor points, as the id order does. Same syntax on both engines.

use sea_orm_migration::prelude::*;

use crate::schema_helpers::statements_migration;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "CREATE INDEX IF NOT EXISTS ix_organizations_sort_name ON organizations (name, id)",
    "CREATE INDEX IF NOT EXISTS ix_persons_sort_name ON persons (surname, first_name, id)",
    "CREATE INDEX IF NOT EXISTS ix_persons_sort_organization ON persons (organization_id, surname, first_name, id)",
    "CREATE INDEX IF NOT EXISTS ix_network_requests_sort_due ON network_requests (due_on, id)",
    "CREATE INDEX IF NOT EXISTS ix_network_requests_sort_sent ON network_requests (sent_on, id)",
    "CREATE INDEX IF NOT EXISTS ix_network_requests_sort_received ON network_requests (received_on, id)",
    "CREATE INDEX IF NOT EXISTS ix_network_requests_sort_status ON network_requests (status, id)",
];

const DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS ix_network_requests_sort_status",
    "DROP INDEX IF EXISTS ix_network_requests_sort_received",
    "DROP INDEX IF EXISTS ix_network_requests_sort_sent",
    "DROP INDEX IF EXISTS ix_network_requests_sort_due",
    "DROP INDEX IF EXISTS ix_persons_sort_organization",
    "DROP INDEX IF EXISTS ix_persons_sort_name",
    "DROP INDEX IF EXISTS ix_organizations_sort_name",
];

statements_migration!(UP, DOWN);
