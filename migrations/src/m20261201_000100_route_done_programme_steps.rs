//! The done programme steps of every individual route, kept by PostgreSQL beside the steps
//! (issue 7): a stored generated `jsonb` column `done_programme_steps` with only the steps whose
//! status is `done` and that name a programme. The two "completed a programme" measures of the
//! monitoring report read it instead of parsing the `steps` JSON text of every route on every
//! report. The database computes it on every insert and update; the entity does not list it, so
//! the application never writes it.
//!
//! SQLite reads the steps with `json_each` as before, and cannot add a stored generated column to
//! an existing table: there the migration does nothing.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "individual_routes";
const COLUMN: &str = "done_programme_steps";
/// The steps done with a programme (`program_id` is JSON `null` for the other activities).
const DONE_PROGRAMME_STEPS: &str =
    r#"jsonb_path_query_array("steps"::jsonb, '$[*] ? (@.status == "done" && @.program_id != null)')"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        m.alter_table(
            Table::alter()
                .table(TABLE)
                .add_column(
                    ColumnDef::new(COLUMN).json_binary().not_null().generated(Expr::cust(DONE_PROGRAMME_STEPS), true),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        m.alter_table(Table::alter().table(TABLE).drop_column(COLUMN).to_owned()).await
    }
}
