//! The due-soon lead time per deadline policy (issue 23): `deadline_policies.due_soon_hours`
//! (24 for the policies stored so far — the fixed lead time until now), and the instant each
//! received request's notice is due, `network_requests.due_soon_at` (its `due_at` minus the lead),
//! which the notifier claims by. Backfilled as `due_at` minus 24 hours.

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{
        ConnectionTrait,
        prelude::{ChronoDateTimeUtc, Uuid},
    },
};

use crate::schema_helpers::{add_column, drop_column, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add_column(m, "deadline_policies", integer("due_soon_hours").default(24)).await?;
        add_column(m, "network_requests", timestamp_with_time_zone_null("due_soon_at")).await?;
        let conn = m.get_connection();
        let select = Query::select()
            .columns(["id", "due_at"])
            .from("network_requests")
            .and_where(Expr::col("due_at").is_not_null())
            .to_owned();
        for row in conn.query_all(&select).await? {
            let id: Uuid = row.try_get("", "id")?;
            let due_at: ChronoDateTimeUtc = row.try_get("", "due_at")?;
            let soon = due_at - std::time::Duration::from_secs(24 * 3600);
            let update = Query::update()
                .table("network_requests")
                .value("due_soon_at", soon)
                .and_where(Expr::col("id").eq(id))
                .to_owned();
            conn.execute(&update).await?;
        }
        m.create_index(index("ix_network_requests_due_soon", "network_requests", &["status", "due_soon_at", "id"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_network_requests_due_soon").table("network_requests").to_owned()).await?;
        drop_column(m, "network_requests", "due_soon_at").await?;
        drop_column(m, "deadline_policies", "due_soon_hours").await
    }
}
