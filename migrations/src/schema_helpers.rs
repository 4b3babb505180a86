//! Small builders shared by the migrations (not a migration itself).

use sea_orm_migration::prelude::*;

/// An index over columns of a table.
pub(crate) fn index(name: &str, table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    i.to_owned()
}

/// A foreign key from `table.col` to `to.id`.
pub(crate) fn fk(table: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, col).to(to, "id").to_owned()
}

/// Adds one column to a table (one statement per column: SQLite alters one at a time).
pub(crate) async fn add_column(
    m: &SchemaManager<'_>,
    table: &'static str,
    column: impl IntoColumnDef,
) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).add_column(column).to_owned()).await
}

/// Drops one column of a table (the `down` of [`add_column`]).
pub(crate) async fn drop_column(m: &SchemaManager<'_>, table: &'static str, column: &'static str) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).drop_column(column).to_owned()).await
}

/// Runs SQL statements one after the other, as they are written (same text on both engines).
pub(crate) async fn run_statements(m: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    for sql in statements {
        m.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}

/// The migration `Migration` of the calling file (which derives its name) as two lists of SQL
/// statements, `up` and `down`, each run in one transaction on both engines (on SQLite too: the
/// statements then share one connection, so none runs against a schema another pooled connection
/// has not yet seen).
macro_rules! statements_migration {
    ($up:expr, $down:expr $(,)?) => {
        #[async_trait::async_trait]
        impl MigrationTrait for Migration {
            fn use_transaction(&self) -> Option<bool> {
                Some(true)
            }

            async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
                $crate::schema_helpers::run_statements(m, $up).await
            }

            async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
                $crate::schema_helpers::run_statements(m, $down).await
            }
        }
    };
}
pub(crate) use statements_migration;
