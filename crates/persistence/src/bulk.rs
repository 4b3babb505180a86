//! Multi-row writes: many rows of one table in as few statements as the engines allow.
//!
//! On PostgreSQL the rows go as `INSERT … SELECT * FROM UNNEST($1::uuid[], $2::text[], …)`,
//! one array parameter per column,
//! each written in PostgreSQL's array text form (as `COPY` reads its text). The statement's text
//! does not depend on the number of rows, so it is parsed and planned once and cached; a
//! `VALUES` list of 500 rows × 15 columns is re-planned with its 7 500 parameters every time,
//! which cost more than the inserts themselves. SQLite (and a value type the array form does not
//! cover) takes multi-row `VALUES` in chunks under the bind limit.

use std::fmt::Write as _;

use chrono::SecondsFormat;
use rsnms_domain::{DomainError, DomainResult};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, IdenStatic,
    Iterable, QueryFilter, QueryTrait, Statement, Value,
};
use uuid::Uuid;

/// Rows from which an insert checks that PostgreSQL's statistics of the table still hold.
const STATISTICS_ROWS: usize = 100;

/// Pages (8 KiB) from which PostgreSQL's statistics of a table are trusted to plan key lookups.
const MEASURED_PAGES: i32 = 1024;

/// Bind parameters one statement may carry: below SQLite's limit (32 766), far below
/// PostgreSQL's (65 535).
const BIND_LIMIT: usize = 30_000;

/// Inserts rows (every one setting the same columns), in order; a failing statement is
/// reported through `on_err`.
pub async fn insert_all<E, C>(
    conn: &C,
    rows: Vec<E::ActiveModel>,
    on_err: impl Fn(DbErr) -> DomainError,
) -> DomainResult<()>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    Insert::of::<E>(conn.get_database_backend(), rows)?.run(conn, on_err).await
}

/// The statements that insert rows into one table, built before they run: a caller may build the
/// next table's statements while PostgreSQL executes these.
#[derive(Debug)]
pub struct Insert {
    table: String,
    rows: usize,
    statements: Vec<Statement>,
}

impl Insert {
    /// Builds the statements inserting rows (every one setting the same columns), in order.
    pub fn of<E: EntityTrait>(backend: DatabaseBackend, rows: Vec<E::ActiveModel>) -> DomainResult<Self> {
        let table = E::default().table_name().to_owned();
        let count = rows.len();
        if rows.is_empty() {
            return Ok(Self { table, rows: 0, statements: Vec::new() });
        }
        if backend == DatabaseBackend::Postgres
            && let Some((columns, types)) = unnest_columns::<E>(&rows)
        {
            let statement = unnest_insert::<E>(rows, &columns, &types)?;
            return Ok(Self { table, rows: count, statements: vec![statement] });
        }
        let per_insert = (BIND_LIMIT / E::Column::iter().count().max(1)).max(1);
        let mut rows = rows.into_iter().peekable();
        let mut statements = Vec::new();
        while rows.peek().is_some() {
            let chunk: Vec<E::ActiveModel> = rows.by_ref().take(per_insert).collect();
            statements.push(backend.build(&E::insert_many(chunk).into_query()));
        }
        Ok(Self { table, rows: count, statements })
    }

    /// Runs the statements; a failing one is reported through `on_err`.
    pub async fn run<C: ConnectionTrait>(self, conn: &C, on_err: impl Fn(DbErr) -> DomainError) -> DomainResult<()> {
        for statement in self.statements {
            conn.execute_raw(statement).await.map_err(&on_err)?;
        }
        if self.rows >= STATISTICS_ROWS && conn.get_database_backend() == DatabaseBackend::Postgres {
            keep_statistics(conn, &self.table).await.map_err(&on_err)?;
        }
        Ok(())
    }
}

/// Re-analyses a small table that has more than doubled since PostgreSQL last measured it. A
/// bulk load grows a table inside one long transaction, where autovacuum cannot see it: plans
/// made while it was small — the cached plans of prepared statements and of foreign-key checks —
/// would scan the whole table for every row from then on. `ANALYZE` inside the transaction
/// counts the transaction's own rows and invalidates those plans. Once measured at
/// [`MEASURED_PAGES`] or more, key lookups plan as index scans whatever the table grows to, so
/// it is left to autovacuum: a table is analysed here at most about eight times, each while it is
/// small (at every doubling it cost a tenth of a large load's database time).
async fn keep_statistics<C: ConnectionTrait>(conn: &C, table: &str) -> Result<(), DbErr> {
    let check = Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "SELECT pg_relation_size(c.oid) / current_setting('block_size')::int > 2 * GREATEST(c.relpages, 8) \
         AND c.relpages < $2 FROM pg_class c WHERE c.oid = to_regclass($1)",
        [Value::String(Some(format!("\"{table}\""))), Value::Int(Some(MEASURED_PAGES))],
    );
    let grown = match conn.query_one_raw(check).await? {
        Some(row) => row.try_get_by_index::<bool>(0)?,
        None => false,
    };
    if grown {
        conn.execute_unprepared(&format!("ANALYZE \"{table}\"")).await?;
    }
    Ok(())
}

/// The PostgreSQL array type of a value's column, if its text form round-trips.
fn array_type(v: &Value) -> Option<&'static str> {
    Some(match v {
        Value::Bool(_) => "boolean[]",
        Value::SmallInt(_) => "int2[]",
        Value::Int(_) => "int4[]",
        Value::BigInt(_) => "int8[]",
        Value::String(_) => "text[]",
        Value::Uuid(_) => "uuid[]",
        Value::Json(_) => "json[]",
        Value::ChronoDate(_) => "date[]",
        Value::ChronoDateTimeUtc(_) => "timestamptz[]",
        _ => return None,
    })
}

/// Appends a value as an element of an array literal: `NULL`; a number, boolean or uuid bare
/// (none holds a character the array syntax reserves); any other text double-quoted with `"`
/// and `\` escaped. Written straight into `out`: this runs for every value of a bulk load.
fn push_element(out: &mut String, v: &Value) -> Option<()> {
    match v {
        Value::Bool(Some(b)) => out.push(if *b { 't' } else { 'f' }),
        Value::SmallInt(Some(n)) => write!(out, "{n}").ok()?,
        Value::Int(Some(n)) => write!(out, "{n}").ok()?,
        Value::BigInt(Some(n)) => write!(out, "{n}").ok()?,
        Value::Uuid(Some(u)) => out.push_str(u.hyphenated().encode_lower(&mut Uuid::encode_buffer())),
        Value::String(Some(s)) => push_quoted(out, s),
        Value::Json(Some(j)) => push_quoted(out, &j.to_string()),
        // ISO 8601: `2026-12-01`, and instants to the microsecond (`2026-12-01T10:03:24.123456Z`).
        Value::ChronoDate(Some(d)) => write!(out, "\"{d}\"").ok()?,
        Value::ChronoDateTimeUtc(Some(t)) => push_quoted(out, &t.to_rfc3339_opts(SecondsFormat::Micros, true)),
        Value::Bool(None)
        | Value::SmallInt(None)
        | Value::Int(None)
        | Value::BigInt(None)
        | Value::Uuid(None)
        | Value::String(None)
        | Value::Json(None)
        | Value::ChronoDate(None)
        | Value::ChronoDateTimeUtc(None) => out.push_str("NULL"),
        _ => return None,
    }
    Some(())
}

/// The text double-quoted, with `"` and `\` escaped.
fn push_quoted(out: &mut String, text: &str) {
    let mut rest = text;
    out.push('"');
    while let Some(at) = rest.find(['"', '\\']) {
        out.push_str(&rest[..at]);
        out.push('\\');
        out.push_str(&rest[at..=at]);
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    out.push('"');
}

/// The columns the rows set and their array types, when every row sets the same columns and
/// every value has an array form here (`None`: left to `VALUES` lists). The types are read from
/// the first row: an entity's column always holds the same kind of value.
fn unnest_columns<E: EntityTrait>(rows: &[E::ActiveModel]) -> Option<(Vec<E::Column>, Vec<&'static str>)> {
    let mut columns = Vec::new();
    let mut types = Vec::new();
    let mut set = Vec::new();
    for c in E::Column::iter() {
        match rows[0].get(c) {
            ActiveValue::Set(v) | ActiveValue::Unchanged(v) => {
                types.push(array_type(&v)?);
                columns.push(c);
                set.push(true);
            }
            ActiveValue::NotSet => set.push(false),
        }
    }
    let same_columns = rows.iter().all(|row| E::Column::iter().zip(&set).all(|(c, s)| row.is_not_set(c) != *s));
    same_columns.then_some((columns, types))
}

/// The `INSERT INTO t (cols) SELECT * FROM UNNEST($1::type[], …)` statement of the rows (their
/// values moved, not copied, into the arrays). One statement whatever the number of rows: over
/// TCP each statement of this size waits for a delayed ACK (sqlx 0.9.0 leaves Nagle's algorithm
/// on, sqlx issue #4335), so fewer is faster.
fn unnest_insert<E: EntityTrait>(
    rows: Vec<E::ActiveModel>,
    columns: &[E::Column],
    types: &[&'static str],
) -> DomainResult<Statement> {
    Ok(unnest_statement::<E>(columns, types, unnest_arrays::<E>(rows, columns, types)?))
}

/// The array texts (each still to be closed) of the rows' values, one per column.
fn unnest_arrays<E: EntityTrait>(
    rows: Vec<E::ActiveModel>,
    columns: &[E::Column],
    types: &[&'static str],
) -> DomainResult<Vec<String>> {
    let mut arrays: Vec<String> = vec![String::with_capacity(rows.len() * 24); columns.len()];
    for (r, mut row) in rows.into_iter().enumerate() {
        for (i, c) in columns.iter().enumerate() {
            let value = row.take(*c).into_value();
            let array = &mut arrays[i];
            array.push(if r == 0 { '{' } else { ',' });
            match value {
                Some(v) if array_type(&v) == Some(types[i]) => push_element(array, &v),
                _ => None,
            }
            .ok_or_else(|| DomainError::internal(format!("bulk insert: row {r} differs in column {}", c.as_str())))?;
        }
    }
    Ok(arrays)
}

/// Stores rows as the next versions of stored ones, in as few statements as the engine allows:
/// each row holds its key, its next `version` and the columns it changes (every row the same
/// columns), and replaces the stored row with that key only while the stored version is the one
/// before. All or nothing for the caller: a row whose stored version moved makes the call
/// [`DomainError::PreconditionFailed`] (the caller's transaction is to be rolled back); a failing
/// statement is reported through `on_err`.
///
/// On PostgreSQL one `UPDATE … FROM UNNEST(…)` (the arrays as [`insert_all`] writes them); on
/// SQLite one `UPDATE` per row.
pub async fn update_versions<E, C>(
    conn: &C,
    key: E::Column,
    version: E::Column,
    rows: Vec<E::ActiveModel>,
    on_err: impl Fn(DbErr) -> DomainError,
) -> DomainResult<()>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let count = rows.len();
    if count == 0 {
        return Ok(());
    }
    if conn.get_database_backend() == DatabaseBackend::Postgres
        && let Some((columns, types)) = unnest_columns::<E>(&rows)
        && columns.iter().any(|c| c.as_str() == key.as_str())
        && columns.iter().any(|c| c.as_str() == version.as_str())
    {
        let table = E::default().table_name().to_owned();
        let mut sql = format!("UPDATE \"{table}\" AS t SET ");
        let mut first = true;
        for c in columns.iter().filter(|c| c.as_str() != key.as_str()) {
            let _ = write!(sql, "{}\"{}\" = u.\"{}\"", if first { "" } else { ", " }, c.as_str(), c.as_str());
            first = false;
        }
        sql.push_str(" FROM UNNEST(");
        for (i, ty) in types.iter().enumerate() {
            let _ = write!(sql, "{}${}::{}", if i == 0 { "" } else { ", " }, i + 1, ty);
        }
        sql.push_str(") AS u(");
        for (i, c) in columns.iter().enumerate() {
            let _ = write!(sql, "{}\"{}\"", if i == 0 { "" } else { ", " }, c.as_str());
        }
        let (k, v) = (key.as_str(), version.as_str());
        let _ = write!(sql, ") WHERE t.\"{k}\" = u.\"{k}\" AND t.\"{v}\" = u.\"{v}\" - 1");
        let values = unnest_arrays::<E>(rows, &columns, &types)?
            .into_iter()
            .map(|mut a| {
                a.push('}');
                Value::String(Some(a))
            })
            .collect::<Vec<_>>();
        let done = conn
            .execute_raw(Statement::from_sql_and_values(DatabaseBackend::Postgres, sql, values))
            .await
            .map_err(&on_err)?;
        return if done.rows_affected() as usize == count { Ok(()) } else { Err(DomainError::PreconditionFailed) };
    }
    for mut row in rows {
        let (ActiveValue::Set(id) | ActiveValue::Unchanged(id)) = row.take(key) else {
            return Err(DomainError::internal(format!("bulk update: a row without {}", key.as_str())));
        };
        let previous = match row.get(version) {
            ActiveValue::Set(Value::BigInt(Some(v))) | ActiveValue::Unchanged(Value::BigInt(Some(v))) => v - 1,
            _ => return Err(DomainError::internal(format!("bulk update: a row without {}", version.as_str()))),
        };
        let done = E::update_many()
            .set(row)
            .filter(key.eq(id))
            .filter(version.eq(previous))
            .exec(conn)
            .await
            .map_err(&on_err)?;
        if done.rows_affected != 1 {
            return Err(DomainError::PreconditionFailed);
        }
    }
    Ok(())
}

/// One `INSERT … SELECT * FROM UNNEST(…)` of array texts (each still to be closed).
fn unnest_statement<E: EntityTrait>(columns: &[E::Column], types: &[&str], arrays: Vec<String>) -> Statement {
    let mut sql = format!("INSERT INTO \"{}\" (", E::default().table_name());
    for (i, c) in columns.iter().enumerate() {
        let _ = write!(sql, "{}\"{}\"", if i == 0 { "" } else { ", " }, c.as_str());
    }
    sql.push_str(") SELECT * FROM UNNEST(");
    for (i, ty) in types.iter().enumerate() {
        let _ = write!(sql, "{}${}::{}", if i == 0 { "" } else { ", " }, i + 1, ty);
    }
    sql.push(')');
    let values = arrays
        .into_iter()
        .map(|mut a| {
            a.push('}');
            Value::String(Some(a))
        })
        .collect::<Vec<_>>();
    Statement::from_sql_and_values(DatabaseBackend::Postgres, sql, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_elements_are_quoted_escaped_and_null_is_bare() {
        let mut out = String::new();
        assert_eq!(push_element(&mut out, &Value::String(Some(r#"Д"Арт\{a,b} NULL"#.into()))), Some(()));
        out.push(',');
        assert_eq!(push_element(&mut out, &Value::String(None)), Some(()));
        out.push(',');
        assert_eq!(push_element(&mut out, &Value::String(Some("NULL".into()))), Some(()));
        assert_eq!(out, r#""Д\"Арт\\{a,b} NULL",NULL,"NULL""#);
    }

    #[test]
    fn numbers_booleans_and_uuids_are_bare_dates_and_instants_quoted_in_iso_8601() {
        let id: Uuid = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".parse().unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-01T10:03:24.123456789+03:00").unwrap().to_utc();
        let mut out = String::new();
        for v in [
            Value::BigInt(Some(-42)),
            Value::Int(None),
            Value::Bool(Some(true)),
            Value::Uuid(Some(id)),
            Value::ChronoDate(Some(day)),
            Value::ChronoDateTimeUtc(Some(at)),
            Value::Json(Some(Box::new(serde_json::json!({"a": "b\"c"})))),
        ] {
            out.push(',');
            assert_eq!(push_element(&mut out, &v), Some(()));
        }
        assert_eq!(
            out,
            r#",-42,NULL,t,0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b,"2026-12-01","2026-12-01T07:03:24.123456Z","{\"a\":\"b\\\"c\"}""#
        );
    }

    #[test]
    fn values_without_a_round_tripping_text_form_are_left_to_values_lists() {
        assert_eq!(array_type(&Value::Double(Some(1.5))), None);
        assert_eq!(push_element(&mut String::new(), &Value::Bytes(Some(vec![1]))), None);
    }
}
