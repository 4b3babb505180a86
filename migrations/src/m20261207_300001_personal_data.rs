//! Personal-data duties under 152-ФЗ (issue 20): the purposes of processing (seeded, an
//! administrator adds more), the basis of processing per person and purpose (consent or another
//! basis of art. 6) with its withdrawal, and the moment a person was depersonalised.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::prelude::Uuid};

use crate::schema_helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The purposes shipped with the system: id, code, Russian and English names.
const PURPOSES: [(&str, &str, &str, &str); 5] = [
    (
        "00000000-0000-7000-8000-000000000201",
        "diagnostics",
        "Диагностика профессиональных дефицитов",
        "Diagnostics of professional deficits",
    ),
    (
        "00000000-0000-7000-8000-000000000202",
        "iom",
        "Индивидуальные образовательные маршруты (ИОМ)",
        "Individual educational routes (IOM)",
    ),
    (
        "00000000-0000-7000-8000-000000000203",
        "monitoring",
        "Мониторинг региональной системы",
        "Monitoring of the regional system",
    ),
    (
        "00000000-0000-7000-8000-000000000204",
        "federal_exchange",
        "Обмен с федеральной цифровой экосистемой ДПО",
        "Exchange with the federal DPO ecosystem",
    ),
    (
        "00000000-0000-7000-8000-000000000205",
        "network_requests",
        "Сетевые запросы участников",
        "Network requests of the participants",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("processing_purposes")
                .col(string_len("code", 64).primary_key())
                .col(uuid_uniq("id"))
                .col(string_len("name_ru", 200))
                .col(string_len("name_en", 200))
                .col(boolean("shipped"))
                .to_owned(),
        )
        .await?;
        let mut seed = Query::insert();
        seed.into_table("processing_purposes").columns(["id", "code", "name_ru", "name_en", "shipped"]);
        for (id, code, ru, en) in PURPOSES {
            let id = Uuid::parse_str(id).map_err(|e| DbErr::Custom(e.to_string()))?;
            seed.values([id.into(), code.into(), ru.into(), en.into(), true.into()])
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        m.exec_stmt(seed.to_owned()).await?;
        m.create_table(
            Table::create()
                .table("processing_bases")
                .col(uuid("id").primary_key())
                .col(uuid("person_id"))
                .col(string_len("purpose", 64))
                .col(string_len("kind", 32))
                .col(string_len_null("consent_form", 32))
                .col(string_len_null("document_ref", 200))
                .col(string_len_null("legal_act", 300))
                .col(date("given_on"))
                .col(date_null("valid_until"))
                .col(string_len("recorded_by", 200))
                .col(timestamp_with_time_zone("recorded_at"))
                .col(date_null("withdrawn_on"))
                .col(string_len_null("withdrawn_by", 200))
                .col(big_integer("version"))
                .foreign_key(
                    ForeignKey::create()
                        .from("processing_bases", "person_id")
                        .to("persons", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(ForeignKey::create().from("processing_bases", "purpose").to("processing_purposes", "code"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_processing_bases_person", "processing_bases", &["person_id", "purpose"])).await?;
        m.alter_table(
            Table::alter().table("persons").add_column(timestamp_with_time_zone_null("depersonalised_at")).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("persons").drop_column("depersonalised_at").to_owned()).await?;
        m.drop_table(Table::drop().table("processing_bases").to_owned()).await?;
        m.drop_table(Table::drop().table("processing_purposes").to_owned()).await
    }
}
