//! Keyset pagination shared by every list: rows are ordered by their UUID v7 id (creation
//! order), and a page starts after the last id of the previous one, so page 10 000 costs what
//! page 1 costs.

use uuid::Uuid;

/// Default page size.
pub const DEFAULT_LIMIT: u64 = 50;
/// Largest page size.
pub const MAX_LIMIT: u64 = 500;

/// Default bound of an exact count (`RSNMS_COUNT_LIMIT`).
pub const DEFAULT_COUNT_LIMIT: u64 = 10_000;

/// How to count the rows a list's filter selects (`?count=`); by default a page has no count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CountMode {
    /// Counted, up to the configured bound; beyond it the count says "more than the bound".
    Exact,
    /// The engine's estimate (PostgreSQL's planner statistics; SQLite counts exactly, bounded).
    Estimate,
}

/// How many rows a list's filter selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// The number (the bound when `exact` is false and it was reached).
    pub value: u64,
    /// Whether `value` is the exact number of rows.
    pub exact: bool,
}

/// Which page to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// How many rows at most (1..=500).
    pub limit: u64,
    /// Start after this id (in the list's order).
    pub after: Option<Uuid>,
    /// Also count the rows, this way.
    pub count: Option<CountMode>,
    /// The order asked for; `None` is the id (creation) order.
    pub sort: Option<SortOrder>,
    /// The sort key of the row to start after (with `after`), for a sorted list.
    pub after_key: Vec<SortValue>,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { limit: DEFAULT_LIMIT, after: None, count: None, sort: None, after_key: Vec::new() }
    }
}

/// A sort order of a list: the name of one of the list's keys and the direction (`-name` on the
/// wire is descending). Ties are broken by the id in the same direction, so the order is total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortOrder {
    /// The key, one of the list's documented names.
    pub key: &'static str,
    /// Descending.
    pub descending: bool,
}

impl SortOrder {
    /// Reads `key` or `-key` among the list's keys; `None` when it is not one of them.
    pub fn parse(raw: &str, keys: &[&'static str]) -> Option<Self> {
        let (descending, name) = match raw.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, raw),
        };
        keys.iter().find(|k| **k == name).map(|key| Self { key, descending })
    }
}

/// One component of a row's sort key, as carried by a cursor. `Null` sorts after every value
/// ascending (and so before every value descending), as PostgreSQL does by default.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum SortValue {
    /// No value.
    Null,
    /// A number.
    Int(i64),
    /// A text, a date (`YYYY-MM-DD`) or a time (RFC 3339), as the column stores it.
    Text(String),
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// The id to continue after, when more rows exist.
    pub next_after: Option<Uuid>,
    /// The sort key of that row, for a sorted list.
    pub next_key: Vec<SortValue>,
    /// How many rows the filter selects, when asked.
    pub count: Option<Count>,
    /// The order the page is in (`None`: the id order).
    pub sort: Option<SortOrder>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` fetched rows: the extra row only proves that a next
    /// page exists.
    pub fn from_probe(mut rows: Vec<T>, limit: u64, id_of: impl Fn(&T) -> Uuid) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_after = if more { rows.last().map(id_of) } else { None };
        Page { items: rows, next_after, next_key: Vec::new(), count: None, sort: None }
    }

    /// Converts the rows, keeping the cursor and the count.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_after: self.next_after,
            next_key: self.next_key,
            count: self.count,
            sort: self.sort,
        }
    }

    /// Converts the rows fallibly, keeping the cursor and the count.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        let items = self.items.into_iter().map(f).collect::<Result<Vec<_>, E>>()?;
        Ok(Page { items, next_after: self.next_after, next_key: self.next_key, count: self.count, sort: self.sort })
    }

    /// Replaces the rows (same cursor and count), e.g. by their views.
    pub fn with_items<U>(self, items: Vec<U>) -> Page<U> {
        Page { items, next_after: self.next_after, next_key: self.next_key, count: self.count, sort: self.sort }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_row_yields_a_cursor_at_the_last_kept_row() {
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let page = Page::from_probe(ids.clone(), 2, |u| *u);
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.next_after, Some(ids[1]));
        let last = Page::from_probe(ids, 3, |u| *u);
        assert_eq!(last.next_after, None);
    }
}
