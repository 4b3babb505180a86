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

use rsnms_domain::{DomainError, DomainResult};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, IdenStatic, Iterable,
    Statement, Value,
};

/// Rows from which an insert checks that PostgreSQL's statistics of the table still hold.
const STATISTICS_ROWS: usize = 100;

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
    if rows.is_empty() {
        return Ok(());
    }
    if conn.get_database_backend() == DatabaseBackend::Postgres
        && let Some(statement) = unnest_insert::<E>(&rows)
    {
        conn.execute_raw(statement).await.map_err(&on_err)?;
        if rows.len() >= STATISTICS_ROWS {
            keep_statistics(conn, E::default().table_name()).await.map_err(&on_err)?;
        }
        return Ok(());
    }
    let per_insert = (BIND_LIMIT / E::Column::iter().count().max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<E::ActiveModel> = rows.by_ref().take(per_insert).collect();
        E::insert_many(chunk).exec_without_returning(conn).await.map_err(&on_err)?;
    }
    Ok(())
}

/// Re-analyses a table that has more than doubled since PostgreSQL last measured it. A bulk load
/// grows a table inside one long transaction, where autovacuum cannot see it: plans made while
/// it was small — the cached plans of prepared statements and of foreign-key checks — would scan
/// the whole table for every row from then on. `ANALYZE` inside the transaction counts the
/// transaction's own rows and invalidates those plans; at doublings it runs about 20 times for a
/// million rows.
async fn keep_statistics<C: ConnectionTrait>(conn: &C, table: &str) -> Result<(), DbErr> {
    let check = Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "SELECT pg_relation_size(c.oid) / current_setting('block_size')::int > 2 * GREATEST(c.relpages, 8) \
         FROM pg_class c WHERE c.oid = to_regclass($1)",
        [Value::String(Some(format!("\"{table}\"")))],
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

/// Appends a value as an element of an array literal: `NULL`, or double-quoted with `"` and `\`
/// escaped.
fn push_element(out: &mut String, v: &Value) -> Option<()> {
    let text = match v {
        Value::Bool(b) => b.map(|b| if b { "t".to_owned() } else { "f".to_owned() }),
        Value::SmallInt(n) => n.map(|n| n.to_string()),
        Value::Int(n) => n.map(|n| n.to_string()),
        Value::BigInt(n) => n.map(|n| n.to_string()),
        Value::String(s) => s.clone(),
        Value::Uuid(u) => u.map(|u| u.to_string()),
        Value::Json(j) => j.as_ref().map(|j| j.to_string()),
        Value::ChronoDate(d) => d.map(|d| d.format("%Y-%m-%d").to_string()),
        Value::ChronoDateTimeUtc(t) => t.map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()),
        _ => return None,
    };
    match text {
        None => out.push_str("NULL"),
        Some(t) => {
            out.push('"');
            for c in t.chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
    }
    Some(())
}

/// The `INSERT INTO t (cols) SELECT * FROM UNNEST($1::type[], …)` statement of the rows, or
/// `None` when a row sets other columns than the first or a value has no array form here. One
/// statement whatever the number of rows: over TCP each statement of this size waits for a
/// delayed ACK (sqlx 0.9.0 leaves Nagle's algorithm on, sqlx issue #4335), so fewer is faster.
fn unnest_insert<E: EntityTrait>(rows: &[E::ActiveModel]) -> Option<Statement> {
    let columns: Vec<E::Column> = E::Column::iter()
        .filter(|c| matches!(rows[0].get(*c), ActiveValue::Set(_) | ActiveValue::Unchanged(_)))
        .collect();
    let mut types: Vec<&'static str> = vec![""; columns.len()];
    let mut arrays: Vec<String> = vec![String::new(); columns.len()];
    for (r, row) in rows.iter().enumerate() {
        for (i, c) in columns.iter().enumerate() {
            let value = match row.get(*c) {
                ActiveValue::Set(v) | ActiveValue::Unchanged(v) => v,
                ActiveValue::NotSet => return None,
            };
            let ty = array_type(&value)?;
            if r == 0 {
                types[i] = ty;
            } else if types[i] != ty {
                return None;
            }
            arrays[i].push(if r == 0 { '{' } else { ',' });
            push_element(&mut arrays[i], &value)?;
        }
    }
    Some(unnest_statement::<E>(&columns, &types, arrays))
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
    fn values_without_a_round_tripping_text_form_are_left_to_values_lists() {
        assert_eq!(array_type(&Value::Double(Some(1.5))), None);
        assert_eq!(push_element(&mut String::new(), &Value::Bytes(Some(vec![1]))), None);
    }
}
