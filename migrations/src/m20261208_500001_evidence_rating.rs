//! A reviewer's rating of route evidence (issue 17, as Moodle learning plans have): 1…5, set
//! with the review decision, absent on evidence reviewed before.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("route_evidence").add_column(small_integer_null("rating")).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("route_evidence").drop_column("rating").to_owned()).await
    }
}
