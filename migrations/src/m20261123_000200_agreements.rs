//! Tripartite agreements: the current projection (`agreements`), every signed version's full
//! document (`agreement_versions`), supplementary agreements (`agreement_amendments`) and the
//! actual values reported for their indicators (`agreement_indicator_values`).

use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("agreements")
                .col(pk_uuid("id"))
                .col(string_len("number", 100))
                .col(string_len("lifecycle", 16))
                .col(string_len("region_code", 2))
                .col(string_len("municipality_code", 32))
                .col(string_len_null("municipality_name", 200))
                .col(uuid("regional_authority_id"))
                .col(uuid("regional_institute_id"))
                .col(uuid("municipal_authority_id"))
                .col(date_null("signed_on"))
                .col(date_null("valid_from"))
                .col(date("valid_until"))
                .col(date_null("terminated_on"))
                .col(text_null("termination_reason"))
                .col(json("document"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(big_integer("version"))
                .foreign_key(&mut fk("agreements", "regional_authority_id", "organizations"))
                .foreign_key(&mut fk("agreements", "regional_institute_id", "organizations"))
                .foreign_key(&mut fk("agreements", "municipal_authority_id", "organizations"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_agreements_territory", "agreements", &["region_code", "municipality_code", "id"]))
            .await?;
        m.create_index(index("ix_agreements_term", "agreements", &["lifecycle", "valid_from", "valid_until"])).await?;
        m.create_index(index("ix_agreements_regional_authority", "agreements", &["regional_authority_id", "id"]))
            .await?;
        m.create_index(index("ix_agreements_regional_institute", "agreements", &["regional_institute_id", "id"]))
            .await?;
        m.create_index(index("ix_agreements_municipal_authority", "agreements", &["municipal_authority_id", "id"]))
            .await?;

        m.create_table(
            Table::create()
                .table("agreement_amendments")
                .col(pk_uuid("id"))
                .col(uuid("agreement_id"))
                .col(string_len("number", 100))
                .col(date("signed_on"))
                .col(date("effective_from"))
                .col(text_null("description"))
                .col(json("changes"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("agreement_amendments", "agreement_id", "agreements"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index("ux_agreement_amendments_number", "agreement_amendments", &["agreement_id", "number"])
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("agreement_versions")
                .col(pk_uuid("id"))
                .col(uuid("agreement_id"))
                .col(integer("number"))
                .col(date("effective_from"))
                .col(uuid_null("amendment_id"))
                .col(json("document"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("agreement_versions", "agreement_id", "agreements"))
                .foreign_key(&mut fk("agreement_versions", "amendment_id", "agreement_amendments"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index("ux_agreement_versions_number", "agreement_versions", &["agreement_id", "number"])
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("agreement_indicator_values")
                .col(pk_uuid("id"))
                .col(uuid("agreement_id"))
                .col(uuid("indicator_id"))
                .col(integer("year"))
                .col(small_integer_null("quarter"))
                .col(double("value"))
                .col(string_len("source", 500))
                .col(text_null("comment"))
                .col(string_len("reported_by", 100))
                .col(string_len("reporter_role", 32))
                .col(json("flags"))
                .col(timestamp_with_time_zone("reported_at"))
                .foreign_key(&mut fk("agreement_indicator_values", "agreement_id", "agreements"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_agreement_indicator_values_indicator",
            "agreement_indicator_values",
            &["agreement_id", "indicator_id", "year", "id"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["agreement_indicator_values", "agreement_versions", "agreement_amendments", "agreements"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
