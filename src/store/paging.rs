//! Keyset paging of the lists: a page asks for `limit` rows after a cursor (the id of the last row
//! of the page before); a query fetches one row more than it returns to learn whether more remain.

/// One page of a list: at most `limit` rows after the row `after` (from the start when None).
#[derive(Debug, Clone, Copy)]
pub struct Page<C> {
    pub limit: u64,
    pub after: Option<C>,
}

impl<C> Page<C> {
    /// The first `limit` rows.
    pub fn first(limit: u64) -> Self {
        Self { limit, after: None }
    }

    /// How many rows the query fetches: one more than the page holds.
    pub fn fetch(&self) -> u64 {
        self.limit + 1
    }
}

/// Cuts the extra row off `rows` (fetched with `Page::fetch`); returns the page and, when more
/// rows remain, the cursor of the next page (the last row kept).
pub fn split<T, C>(mut rows: Vec<T>, limit: u64, cursor: impl Fn(&T) -> C) -> (Vec<T>, Option<C>) {
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next = if more { rows.last().map(cursor) } else { None };
    (rows, next)
}
