//! Route templates (issue 17 item 7): a plan of steps that is applied to a group of teachers,
//! each getting her own draft route from it. Written once; never updated.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("route_templates")
                .col(pk_uuid("id"))
                .col(string_len("title", 500))
                .col(json("deficit_competency_ids"))
                .col(json("steps"))
                .col(string_len("created_by", 200))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("route_templates").to_owned()).await
    }
}
