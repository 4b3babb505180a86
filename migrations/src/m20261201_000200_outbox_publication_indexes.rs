//! The outbox's publication indexes cover only what each reader looks for (issue 6): the change
//! feed and the webhook dispatcher read published events by `pub_seq` (partial indexes `WHERE
//! pub_seq IS NOT NULL`, which every `pub_seq > cursor` condition implies; the sequencer's
//! `MAX(pub_seq)` names `pub_seq IS NOT NULL` itself, as SQLite needs), the sequencer reads the
//! unpublished ones by `seq` (`WHERE pub_seq IS NULL`). A new event is then written into
//! three indexes instead of five: `ix_outbox_resource` (`resource_type, seq`) has had no reader
//! since the feed moved to `pub_seq`, and an unpublished event no longer sits in the two
//! `pub_seq` indexes, which it enters when the sequencer publishes it, after the writer's commit.
//! The indexes are built without `CONCURRENTLY`: on PostgreSQL outbox writes wait while they
//! build (at start-up, seconds for millions of events). Both engines take partial indexes with
//! the same syntax; the migration runs in one transaction
//! on both (on SQLite too: its statements then share one connection, so none runs against a
//! schema another pooled connection has not yet seen).

use sea_orm_migration::prelude::*;

use crate::schema_helpers::statements_migration;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "DROP INDEX IF EXISTS ix_outbox_resource",
    "DROP INDEX IF EXISTS ix_outbox_pub_seq",
    "DROP INDEX IF EXISTS ix_outbox_type_pub_seq",
    "CREATE INDEX ix_outbox_pub_seq ON outbox (pub_seq) WHERE pub_seq IS NOT NULL",
    "CREATE INDEX ix_outbox_type_pub_seq ON outbox (resource_type, pub_seq) WHERE pub_seq IS NOT NULL",
    "CREATE INDEX ix_outbox_unpublished ON outbox (seq) WHERE pub_seq IS NULL",
];

const DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS ix_outbox_unpublished",
    "DROP INDEX IF EXISTS ix_outbox_type_pub_seq",
    "DROP INDEX IF EXISTS ix_outbox_pub_seq",
    "CREATE INDEX ix_outbox_pub_seq ON outbox (pub_seq)",
    "CREATE INDEX ix_outbox_type_pub_seq ON outbox (resource_type, pub_seq)",
    "CREATE INDEX ix_outbox_resource ON outbox (resource_type, seq)",
];

statements_migration!(UP, DOWN);
