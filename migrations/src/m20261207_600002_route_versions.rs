//! Every version of a route (issue 17 item 2): its plan and state after each change, with who
//! changed it and when. Written in the transaction of the change; never updated.

use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("route_versions")
                .col(pk_uuid("id"))
                .col(uuid("route_id"))
                .col(big_integer("version"))
                .col(string_len("action", 32))
                .col(string_len("status", 16))
                .col(json("snapshot"))
                .col(string_len("recorded_by", 200))
                .col(timestamp_with_time_zone("recorded_at"))
                .foreign_key(ForeignKey::create().from("route_versions", "route_id").to("individual_routes", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index("ux_route_versions_route_version", "route_versions", &["route_id", "version"]).unique().to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("route_versions").to_owned()).await
    }
}
