//! Professional development: the competency framework, diagnostic campaigns and results,
//! programmes (ДПП), individual educational routes (ИОМ) and their evidence.

use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn stamps(t: &mut TableCreateStatement) -> &mut TableCreateStatement {
    t.col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .col(big_integer("version"))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("competencies")
            .col(pk_uuid("id"))
            .col(string_len("node", 16))
            .col(uuid_null("parent_id"))
            .col(string_len("area_kind", 32))
            .col(string_len_uniq("code", 32))
            .col(string_len("name", 500))
            .col(text_null("description"))
            .col(string_len("status", 16))
            .col(timestamp_with_time_zone_null("retired_at"))
            .foreign_key(ForeignKey::create().from("competencies", "parent_id").to("competencies", "id"));
        m.create_table(stamps(&mut t).to_owned()).await?;
        m.create_index(index("ix_competencies_parent", "competencies", &["parent_id", "id"])).await?;
        m.create_index(index("ix_competencies_kind", "competencies", &["area_kind", "id"])).await?;

        let mut t = Table::create();
        t.table("diagnostic_campaigns")
            .col(pk_uuid("id"))
            .col(string_len("name", 500))
            .col(string_len("instrument", 32))
            .col(date("period_start"))
            .col(date("period_end"))
            .col(uuid("organizer_id"))
            .col(string_len("target_group", 32))
            .col(string_len_null("target_description", 1000))
            .col(json("scale"))
            .col(json("competency_ids"))
            .foreign_key(ForeignKey::create().from("diagnostic_campaigns", "organizer_id").to("organizations", "id"));
        m.create_table(stamps(&mut t).to_owned()).await?;
        m.create_index(index("ix_campaigns_instrument", "diagnostic_campaigns", &["instrument", "id"])).await?;
        m.create_index(index("ix_campaigns_organizer", "diagnostic_campaigns", &["organizer_id", "id"])).await?;

        let mut t = Table::create();
        t.table("diagnostic_results")
            .col(pk_uuid("id"))
            .col(uuid("campaign_id"))
            .col(uuid("person_id"))
            .col(uuid("competency_id"))
            .col(double_null("score"))
            .col(string_len_null("level", 100))
            .col(date("assessed_on"))
            .col(boolean("deficit"))
            .foreign_key(
                ForeignKey::create().from("diagnostic_results", "campaign_id").to("diagnostic_campaigns", "id"),
            )
            .foreign_key(ForeignKey::create().from("diagnostic_results", "person_id").to("persons", "id"))
            .foreign_key(ForeignKey::create().from("diagnostic_results", "competency_id").to("competencies", "id"));
        m.create_table(stamps(&mut t).to_owned()).await?;
        m.create_index(
            index("ux_results_key", "diagnostic_results", &["campaign_id", "person_id", "competency_id"])
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_results_person", "diagnostic_results", &["person_id", "competency_id"])).await?;
        m.create_index(index("ix_results_date", "diagnostic_results", &["assessed_on"])).await?;
        m.create_index(index("ix_results_campaign", "diagnostic_results", &["campaign_id", "id"])).await?;

        let mut t = Table::create();
        t.table("programs")
            .col(pk_uuid("id"))
            .col(string_len("title", 1000))
            .col(string_len("kind", 32))
            .col(integer("hours"))
            .col(string_len("form", 16))
            .col(uuid("developer_id"))
            .col(text_null("audience"))
            .col(text_null("annotation"))
            .col(text_null("planned_results"))
            .col(json("competency_ids"))
            .col(boolean("federal_registry"))
            .col(string_len_null("registry_id", 64))
            .col(date_null("registry_included_on"))
            .foreign_key(ForeignKey::create().from("programs", "developer_id").to("organizations", "id"));
        m.create_table(stamps(&mut t).to_owned()).await?;
        m.create_index(index("ix_programs_registry", "programs", &["federal_registry", "id"])).await?;
        m.create_index(index("ix_programs_kind", "programs", &["kind", "form", "id"])).await?;
        m.create_table(
            Table::create()
                .table("program_competencies")
                .col(uuid("program_id"))
                .col(uuid("competency_id"))
                .primary_key(Index::create().col("program_id").col("competency_id"))
                .foreign_key(
                    ForeignKey::create()
                        .from("program_competencies", "program_id")
                        .to("programs", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create().from("program_competencies", "competency_id").to("competencies", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_program_competencies_c", "program_competencies", &["competency_id", "program_id"]))
            .await?;

        let mut t = Table::create();
        t.table("individual_routes")
            .col(pk_uuid("id"))
            .col(uuid("person_id"))
            .col(uuid("tutor_id"))
            .col(date("period_start"))
            .col(date("period_end"))
            .col(string_len("status", 16))
            .col(json("diagnostic_ids"))
            .col(json("deficit_competency_ids"))
            .col(json("steps"))
            .col(json("transfer"))
            .col(date_null("repeat_diagnostic_on"))
            .col(uuid_null("repeat_campaign_id"))
            .col(string_len_null("approved_by", 100))
            .col(timestamp_with_time_zone_null("approved_at"))
            .col(timestamp_with_time_zone_null("started_at"))
            .col(timestamp_with_time_zone_null("completed_at"))
            .col(timestamp_with_time_zone_null("cancelled_at"))
            .foreign_key(ForeignKey::create().from("individual_routes", "person_id").to("persons", "id"))
            .foreign_key(ForeignKey::create().from("individual_routes", "tutor_id").to("persons", "id"));
        m.create_table(stamps(&mut t).to_owned()).await?;
        m.create_index(index("ix_routes_person", "individual_routes", &["person_id", "period_start"])).await?;
        m.create_index(index("ix_routes_tutor", "individual_routes", &["tutor_id", "id"])).await?;
        m.create_index(index("ix_routes_status", "individual_routes", &["status", "id"])).await?;

        m.create_table(
            Table::create()
                .table("route_evidence")
                .col(pk_uuid("id"))
                .col(uuid("route_id"))
                .col(uuid("step_id"))
                .col(string_len("kind", 32))
                .col(text("description"))
                .col(string_len_null("url", 2000))
                .col(string_len("submitted_by", 100))
                .col(timestamp_with_time_zone("submitted_at"))
                .col(string_len("status", 16))
                .col(string_len_null("reviewed_by", 100))
                .col(timestamp_with_time_zone_null("reviewed_at"))
                .col(text_null("review_comment"))
                .foreign_key(ForeignKey::create().from("route_evidence", "route_id").to("individual_routes", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_route_evidence_route", "route_evidence", &["route_id", "id"])).await?;

        let mut t = Table::create();
        t.table("offerings")
            .col(pk_uuid("id"))
            .col(string_len("offering", 32))
            .col(string_len("title", 1000))
            .col(string_len_null("kind", 32))
            .col(string_len_null("level", 32))
            .col(date("starts_on"))
            .col(date_null("ends_on"))
            .col(uuid("organization_id"))
            .col(json("competency_ids"))
            .col(integer_null("participants"))
            .col(integer_null("capacity"))
            .col(string_len_null("decision", 1000))
            .foreign_key(ForeignKey::create().from("offerings", "organization_id").to("organizations", "id"));
        m.create_table(stamps(&mut t).to_owned()).await?;
        m.create_index(index("ix_offerings_kind_date", "offerings", &["offering", "starts_on", "id"])).await?;
        m.create_index(index("ix_offerings_level", "offerings", &["offering", "level", "id"])).await?;
        m.create_table(
            Table::create()
                .table("offering_competencies")
                .col(uuid("offering_id"))
                .col(uuid("competency_id"))
                .primary_key(Index::create().col("offering_id").col("competency_id"))
                .foreign_key(
                    ForeignKey::create()
                        .from("offering_competencies", "offering_id")
                        .to("offerings", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create().from("offering_competencies", "competency_id").to("competencies", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_offering_competencies_c", "offering_competencies", &["competency_id", "offering_id"]))
            .await?;

        let mut t = Table::create();
        t.table("mentoring_pairs")
            .col(pk_uuid("id"))
            .col(uuid("mentor_id"))
            .col(uuid("mentee_id"))
            .col(string_len("form", 32))
            .col(date("period_start"))
            .col(date_null("period_end"))
            .col(uuid("organization_id"))
            .col(json("competency_ids"))
            .foreign_key(ForeignKey::create().from("mentoring_pairs", "mentor_id").to("persons", "id"))
            .foreign_key(ForeignKey::create().from("mentoring_pairs", "mentee_id").to("persons", "id"))
            .foreign_key(ForeignKey::create().from("mentoring_pairs", "organization_id").to("organizations", "id"));
        m.create_table(stamps(&mut t).to_owned()).await?;
        m.create_index(index("ix_mentoring_org", "mentoring_pairs", &["organization_id", "id"])).await?;
        m.create_index(index("ix_mentoring_mentor", "mentoring_pairs", &["mentor_id"])).await?;
        m.create_index(index("ix_mentoring_mentee", "mentoring_pairs", &["mentee_id"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "mentoring_pairs",
            "offering_competencies",
            "offerings",
            "route_evidence",
            "individual_routes",
            "program_competencies",
            "programs",
            "diagnostic_results",
            "diagnostic_campaigns",
            "competencies",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
