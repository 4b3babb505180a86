//! Keyset pagination shared by every list: rows are ordered by their UUID v7 id (creation
//! order), and a page starts after the last id of the previous one, so page 10 000 costs what
//! page 1 costs.

use uuid::Uuid;

/// Default page size.
pub const DEFAULT_LIMIT: u64 = 50;
/// Largest page size.
pub const MAX_LIMIT: u64 = 500;

/// Which page to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// How many rows at most (1..=500).
    pub limit: u64,
    /// Start after this id.
    pub after: Option<Uuid>,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { limit: DEFAULT_LIMIT, after: None }
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// The id to continue after, when more rows exist.
    pub next_after: Option<Uuid>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` fetched rows: the extra row only proves that a next
    /// page exists.
    pub fn from_probe(mut rows: Vec<T>, limit: u64, id_of: impl Fn(&T) -> Uuid) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_after = if more { rows.last().map(id_of) } else { None };
        Page { items: rows, next_after }
    }

    /// Converts the rows, keeping the cursor.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next_after: self.next_after }
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
