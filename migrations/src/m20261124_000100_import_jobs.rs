//! Asynchronous imports (`Prefer: respond-async`): the jobs, and their bodies stored in chunks so
//! that any instance over the database can run a job.

use sea_orm_migration::{prelude::*, schema::*};

use crate::schema_helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("import_jobs")
                .col(pk_uuid("id"))
                .col(string_len("owner_subject", 255))
                .col(json("owner"))
                .col(string_len("request_id", 128))
                .col(string_len("dataset", 64))
                .col(json("options"))
                .col(string_len("format", 16))
                .col(string_len("charset", 32))
                .col(string_len("status", 16))
                .col(big_integer("body_bytes"))
                .col(string_len("body_sha256", 64))
                .col(big_integer("received"))
                .col(big_integer("created"))
                .col(big_integer("updated"))
                .col(big_integer("unchanged"))
                .col(big_integer("rejected"))
                .col(json_null("checkpoint"))
                .col(json_null("summary"))
                .col(json_null("problem"))
                .col(integer("attempts"))
                .col(string_len_null("lease_owner", 64))
                .col(timestamp_with_time_zone_null("leased_until"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("started_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .col(big_integer("version"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_import_jobs_owner", "import_jobs", &["owner_subject", "id"])).await?;
        m.create_index(index("ix_import_jobs_status", "import_jobs", &["status", "id"])).await?;

        m.create_table(
            Table::create()
                .table("import_job_chunks")
                .col(uuid("job_id"))
                .col(integer("seq"))
                .col(blob("data"))
                .primary_key(Index::create().col("job_id").col("seq"))
                .foreign_key(
                    ForeignKey::create()
                        .from("import_job_chunks", "job_id")
                        .to("import_jobs", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["import_job_chunks", "import_jobs"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
