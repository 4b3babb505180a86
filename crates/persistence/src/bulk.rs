//! Multi-row writes: many rows of one table in as few statements as the engines allow.

use rsnms_domain::{DomainError, DomainResult};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Iterable};

/// Bind parameters one statement may carry: below SQLite's limit (32 766), far below
/// PostgreSQL's (65 535).
const BIND_LIMIT: usize = 30_000;

/// Inserts rows with one multi-row `INSERT` per as many rows as the bind limit allows, in
/// order; a failing statement is reported through `on_err`. Every row must set the same columns.
pub async fn insert_all<E, C>(
    conn: &C,
    rows: Vec<E::ActiveModel>,
    on_err: impl Fn(DbErr) -> DomainError,
) -> DomainResult<()>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let per_insert = (BIND_LIMIT / E::Column::iter().count().max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<E::ActiveModel> = rows.by_ref().take(per_insert).collect();
        E::insert_many(chunk).exec_without_returning(conn).await.map_err(&on_err)?;
    }
    Ok(())
}
