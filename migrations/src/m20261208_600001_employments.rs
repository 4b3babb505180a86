//! People over time (issue 16.2): a person's employment periods (organisation, position
//! category, from, to) — the history monitoring takes its populations from, as of the period it
//! reports. A person without periods is taken by their current link (`persons.organization_id`)
//! and roles. Also the duplicate rule of agreements backed by a unique index: one agreement per
//! number, signing date and parties (drafts without a date are checked by the domain only).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::ConnectionTrait};

use crate::schema_helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("employments")
                .col(pk_uuid("id"))
                .col(uuid("person_id"))
                .col(uuid("organization_id"))
                .col(string_len("category", 32))
                .col(date_null("started_on"))
                .col(date_null("ended_on"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("employments", "person_id")
                        .to("persons", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(ForeignKey::create().from("employments", "organization_id").to("organizations", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_employments_person", "employments", &["person_id", "started_on"])).await?;
        m.create_index(index("ix_employments_organization", "employments", &["organization_id", "category"])).await?;
        let same = Query::select()
            .column("number")
            .from("agreements")
            .and_where(Expr::col("signed_on").is_not_null())
            .group_by_columns([
                "number",
                "signed_on",
                "regional_authority_id",
                "regional_institute_id",
                "municipal_authority_id",
            ])
            .and_having(Expr::cust("COUNT(*) > 1"))
            .to_owned();
        let duplicates = m.get_connection().query_all(&same).await?;
        if !duplicates.is_empty() {
            let numbers: Vec<String> =
                duplicates.iter().filter_map(|r| r.try_get::<String>("", "number").ok()).collect();
            return Err(DbErr::Migration(format!(
                "agreements stored twice (same number, signing date and parties): {}; resolve them before upgrading",
                numbers.join(", ")
            )));
        }
        m.create_index(
            index(
                "ux_agreements_number_date_parties",
                "agreements",
                &["number", "signed_on", "regional_authority_id", "regional_institute_id", "municipal_authority_id"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ux_agreements_number_date_parties").table("agreements").to_owned()).await?;
        m.drop_table(Table::drop().table("employments").to_owned()).await
    }
}
