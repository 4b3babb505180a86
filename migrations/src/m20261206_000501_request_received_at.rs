//! The instant a network request was received (issue 23): hour terms count from it, and every
//! extension and recomputation starts from it instead of the midnight of the day received.
//!
//! Backfill: a request received before this column existed gets the start of its day of receipt
//! in the addressee's time zone — the instant its deadline was computed from, so no stored due
//! date changes. The zone's offset is read from the stored deadline itself (`due_at` is the local
//! midnight after `due_on`, Russian zones keep no daylight saving time), so the migration needs no
//! time-zone database.

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{
        ConnectionTrait,
        prelude::{ChronoDateTimeUtc, ChronoTime, Date, Uuid},
    },
};

use crate::schema_helpers::{add_column, drop_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_column(m, "network_requests", timestamp_with_time_zone_null("received_at")).await?;
        backfill_received_at(m.get_connection()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_column(m, "network_requests", "received_at").await
    }
}

/// Gives every received request without an instant of receipt the start of its day of receipt in
/// the addressee's time zone (see the module). Public for the tests, which check it on both
/// engines.
pub async fn backfill_received_at<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    let select = Query::select()
        .columns(["id", "received_on", "due_on", "due_at"])
        .from("network_requests")
        .and_where(Expr::col("received_on").is_not_null())
        .and_where(Expr::col("due_on").is_not_null())
        .and_where(Expr::col("due_at").is_not_null())
        .and_where(Expr::col("received_at").is_null())
        .to_owned();
    for row in conn.query_all(&select).await? {
        let id: Uuid = row.try_get("", "id")?;
        let received_on: Date = row.try_get("", "received_on")?;
        let due_on: Date = row.try_get("", "due_on")?;
        let due_at: ChronoDateTimeUtc = row.try_get("", "due_at")?;
        let Some(next) = due_on.succ_opt() else { continue };
        // Local midnight after the due day, read as UTC, minus the instant it really is.
        let offset = next.and_time(ChronoTime::MIN) - due_at.naive_utc();
        let received_at = (received_on.and_time(ChronoTime::MIN) - offset).and_utc();
        let update = Query::update()
            .table("network_requests")
            .value("received_at", received_at)
            .and_where(Expr::col("id").eq(id))
            .to_owned();
        conn.execute(&update).await?;
    }
    Ok(())
}
