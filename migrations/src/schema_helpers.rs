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
