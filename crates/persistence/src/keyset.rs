//! The one keyset pagination of every list: the order (the id, or a sort key then the id), the
//! "rows after the cursor" condition, the probe row that proves a next page, and the count asked
//! for with `?count=`. A repository gives its filtered `Select`, its id column and the columns of
//! its sort keys; this module does the rest, the same way on SQLite and PostgreSQL.
//!
//! Order: `key₁, …, keyₙ, id`, all ascending or all descending, so one index on
//! `(key₁, …, keyₙ, id)` serves both directions. A NULL key sorts after every value ascending and
//! before every value descending (PostgreSQL's default, stated explicitly for SQLite).

use rsnms_domain::{
    DomainError, DomainResult, Msg,
    page::{Count, CountMode, Page, PageRequest, SortValue},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select, Value,
    sea_query::{Alias, Condition, Expr, ExprTrait, NullOrdering, Query},
};
use uuid::Uuid;

use crate::{db::Database, error::DbResultExt};

/// How a sort key's column stores its values (how a cursor's value is read back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// Text.
    Text,
    /// A date (`YYYY-MM-DD`).
    Date,
    /// A time with zone (RFC 3339).
    Time,
    /// An integer.
    Int,
    /// A UUID.
    Uuid,
}

/// One column of a sort key.
#[derive(Debug, Clone, Copy)]
pub struct KeyColumn<C> {
    /// The column.
    pub column: C,
    /// How it stores values.
    pub kind: KeyType,
    /// Whether it may be NULL.
    pub nullable: bool,
}

impl<C> KeyColumn<C> {
    /// A column that is never NULL.
    pub fn new(column: C, kind: KeyType) -> Self {
        Self { column, kind, nullable: false }
    }

    /// A column that may be NULL.
    pub fn nullable(column: C, kind: KeyType) -> Self {
        Self { column, kind, nullable: true }
    }
}

/// A sort key the list does not have (422 naming `sort`).
pub fn unknown_sort() -> DomainError {
    DomainError::field("sort", "unknown_sort", Msg::new("Неизвестный порядок сортировки", "Unknown sort order"))
}

fn bad_cursor() -> DomainError {
    DomainError::field("cursor", "invalid_cursor", Msg::new("Неверный курсор", "Invalid cursor"))
}

fn to_value(kind: KeyType, v: &SortValue) -> DomainResult<Option<Value>> {
    Ok(match (kind, v) {
        (_, SortValue::Null) => None,
        (KeyType::Int, SortValue::Int(i)) => Some(Value::BigInt(Some(*i))),
        (KeyType::Text, SortValue::Text(s)) => Some(Value::String(Some(s.clone()))),
        (KeyType::Uuid, SortValue::Text(s)) => Some(Value::Uuid(Some(s.parse::<Uuid>().map_err(|_| bad_cursor())?))),
        (KeyType::Date, SortValue::Text(s)) => {
            Some(Value::ChronoDate(Some(s.parse::<chrono::NaiveDate>().map_err(|_| bad_cursor())?)))
        }
        (KeyType::Time, SortValue::Text(s)) => Some(Value::ChronoDateTimeUtc(Some(
            chrono::DateTime::parse_from_rfc3339(s).map_err(|_| bad_cursor())?.with_timezone(&chrono::Utc),
        ))),
        _ => return Err(bad_cursor()),
    })
}

/// Rows strictly after the cursor `(values…, id)` in the order, NULL being the greatest value.
fn after<C: ColumnTrait>(
    keys: &[KeyColumn<C>],
    values: &[Option<Value>],
    id: C,
    last: Uuid,
    descending: bool,
) -> Condition {
    let Some((key, rest)) = keys.split_first() else {
        return Condition::all().add(if descending { id.lt(last) } else { id.gt(last) });
    };
    let (value, rest_values) = match values.split_first() {
        Some((v, r)) => (v.clone(), r),
        None => (None, values),
    };
    let tail = after(rest, rest_values, id, last, descending);
    let col = Expr::col(key.column);
    match (value, descending) {
        (Some(v), false) => {
            let mut any =
                Condition::any().add(col.clone().gt(v.clone())).add(Condition::all().add(col.clone().eq(v)).add(tail));
            if key.nullable {
                any = any.add(col.is_null());
            }
            any
        }
        (Some(v), true) => {
            Condition::any().add(col.clone().lt(v.clone())).add(Condition::all().add(col.eq(v)).add(tail))
        }
        (None, false) => Condition::all().add(col.is_null()).add(tail),
        (None, true) => {
            Condition::any().add(col.clone().is_not_null()).add(Condition::all().add(col.is_null()).add(tail))
        }
    }
}

/// Reads one page of `select` (already filtered by scope and filters) in the requested order,
/// with the count when asked. `keys` are the columns of the requested sort key (empty for the id
/// order); `key_of` reads a row's sort key for the next cursor.
pub async fn page<E>(
    db: &Database,
    select: Select<E>,
    id: E::Column,
    keys: &[KeyColumn<E::Column>],
    request: &PageRequest,
    id_of: impl Fn(&E::Model) -> Uuid,
    key_of: impl Fn(&E::Model) -> Vec<SortValue>,
) -> DomainResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let count = match request.count {
        Some(mode) => Some(count(db, select.clone(), id, mode).await?),
        None => None,
    };
    let descending = request.sort.is_some_and(|s| s.descending);
    let mut q = select;
    if let Some(last) = request.after {
        if request.after_key.len() != keys.len() {
            return Err(bad_cursor());
        }
        let values =
            keys.iter().zip(&request.after_key).map(|(k, v)| to_value(k.kind, v)).collect::<DomainResult<Vec<_>>>()?;
        q = q.filter(after(keys, &values, id, last, descending));
    }
    let order = if descending { Order::Desc } else { Order::Asc };
    let nulls = if descending { NullOrdering::First } else { NullOrdering::Last };
    for k in keys {
        q = if k.nullable {
            q.order_by_with_nulls(k.column, order.clone(), nulls)
        } else {
            q.order_by(k.column, order.clone())
        };
    }
    let rows = q.order_by(id, order).limit(request.limit + 1).all(&db.exec()).await.db()?;
    let mut page = Page::from_probe(rows, request.limit, id_of);
    if page.next_after.is_some() && !keys.is_empty() {
        page.next_key = page.items.last().map(&key_of).unwrap_or_default();
    }
    page.count = count;
    page.sort = request.sort.filter(|_| !keys.is_empty());
    Ok(page)
}

/// Counts the rows `select` selects: exactly up to the configured bound (then "at least the
/// bound"), or PostgreSQL's planner estimate (SQLite: the bounded exact count).
async fn count<E: EntityTrait>(
    db: &Database,
    select: Select<E>,
    id: E::Column,
    mode: CountMode,
) -> DomainResult<Count> {
    let backend = db.backend();
    let exec = db.exec();
    if mode == CountMode::Estimate && backend == DatabaseBackend::Postgres {
        let mut stmt = select.select_only().column(id).build(backend);
        stmt.sql = format!("EXPLAIN (FORMAT JSON) {}", stmt.sql);
        let row = exec.query_one_raw(stmt).await.db()?.ok_or_else(|| DomainError::internal("no plan"))?;
        let plan: serde_json::Value = row.try_get_by_index(0).db()?;
        let rows = plan[0]["Plan"]["Plan Rows"].as_f64().unwrap_or(0.0);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a planner's row estimate, rounded"
        )]
        let value = rows.max(0.0).round() as u64;
        return Ok(Count { value, exact: false });
    }
    let bound = db.count_limit();
    let inner = select.select_only().column(id).limit(bound + 1).into_query();
    let stmt = Query::select().expr(Expr::cust("COUNT(*)")).from_subquery(inner, Alias::new("counted")).to_owned();
    let row = exec.query_one(&stmt).await.db()?.ok_or_else(|| DomainError::internal("no count"))?;
    let n: i64 = row.try_get_by_index(0).db()?;
    let n = u64::try_from(n).unwrap_or(0);
    Ok(if n > bound { Count { value: bound, exact: false } } else { Count { value: n, exact: true } })
}

/// A key column's value as a cursor component.
pub fn text(s: &str) -> SortValue {
    SortValue::Text(s.to_owned())
}

/// An optional text as a cursor component.
pub fn opt_text(s: Option<&str>) -> SortValue {
    s.map_or(SortValue::Null, text)
}

/// A UUID as a cursor component.
pub fn uuid(u: Uuid) -> SortValue {
    SortValue::Text(u.to_string())
}

/// An optional date as a cursor component.
pub fn date(d: Option<chrono::NaiveDate>) -> SortValue {
    d.map_or(SortValue::Null, |d| SortValue::Text(d.to_string()))
}

/// An optional time as a cursor component.
pub fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> SortValue {
    t.map_or(SortValue::Null, |t| SortValue::Text(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)))
}
