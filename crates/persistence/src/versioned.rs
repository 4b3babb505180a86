//! Optimistic concurrency, written once: a changed row is stored only while its version is still
//! the one the client read, with `version + 1` and a fresh `updated_at`.

use chrono::Utc;
use rsnms_domain::{DomainError, DomainResult};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Value};
use uuid::Uuid;

use crate::error::{DbResultExt, db_err};

/// The columns every versioned table has.
pub(crate) struct Versioned<C> {
    /// Primary key.
    pub id: C,
    /// Version counter.
    pub version: C,
    /// Last change instant.
    pub updated_at: C,
}

/// Stores `am` as the next version of row `id`; a concurrent change in between answers 412.
/// `map_err` names the unique columns of the table for conflicts.
pub(crate) async fn save_next_version<E, A, Conn>(
    conn: &Conn,
    cols: Versioned<E::Column>,
    mut am: A,
    id: Uuid,
    expected_version: i64,
    map_err: impl FnOnce(sea_orm::DbErr) -> DomainError,
) -> DomainResult<E::Model>
where
    E: EntityTrait,
    A: ActiveModelTrait<Entity = E> + Send,
    Conn: ConnectionTrait,
{
    am.set(cols.updated_at, Value::from(Utc::now()));
    am.set(cols.version, Value::from(expected_version + 1));
    E::update_many()
        .set(am)
        .filter(cols.id.eq(id))
        .filter(cols.version.eq(expected_version))
        .exec_with_returning(conn)
        .await
        .map_err(map_err)?
        .into_iter()
        .next()
        .ok_or(DomainError::PreconditionFailed)
}

/// Deletes row `id` while its version is still `expected_version`; a concurrent change in
/// between answers 412.
pub(crate) async fn delete<E, Conn>(
    conn: &Conn,
    id_col: E::Column,
    version_col: E::Column,
    id: Uuid,
    expected_version: i64,
) -> DomainResult<()>
where
    E: EntityTrait,
    Conn: ConnectionTrait,
{
    let res = E::delete_many().filter(id_col.eq(id)).filter(version_col.eq(expected_version)).exec(conn).await.db()?;
    if res.rows_affected == 0 {
        return Err(DomainError::PreconditionFailed);
    }
    Ok(())
}

/// [`save_next_version`] for tables without unique columns to name.
pub(crate) async fn save<E, A, Conn>(
    conn: &Conn,
    cols: Versioned<E::Column>,
    am: A,
    id: Uuid,
    expected_version: i64,
) -> DomainResult<E::Model>
where
    E: EntityTrait,
    A: ActiveModelTrait<Entity = E> + Send,
    Conn: ConnectionTrait,
{
    save_next_version::<E, A, Conn>(conn, cols, am, id, expected_version, db_err).await
}
