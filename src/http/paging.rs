//! The paging vocabulary every list route shares: `limit` (a whole number in a route's range,
//! the route's default when absent) and a cursor naming the last row of the page before, with
//! the answer's `X-Next-Before` / `X-Next-After` header naming the cursor of the next page when
//! more rows remain (absent on the last page). `before` walks a list back from its newest row
//! (a conversation, the history); `after` continues a list in the order it is shown (the queue,
//! a timeline, notes, agents, departments). A bad `limit` or cursor is 422 `invalid`.

use std::{fmt::Display, str::FromStr};

use axum::http::{HeaderMap, HeaderValue};
use serde::Deserialize;

use super::ApiError;
use crate::store::paging::Page;

/// The header naming the cursor of the older page of a list walked with `before`.
pub const NEXT_BEFORE: &str = "x-next-before";
/// The header naming the cursor of the next page of a list walked with `after`.
pub const NEXT_AFTER: &str = "x-next-after";

/// The query of a list continued with `after`: `?limit=&after=`.
#[derive(Deserialize)]
pub struct AfterQuery {
    limit: Option<String>,
    after: Option<String>,
}

impl AfterQuery {
    /// The page asked for: `limit` in 1..=`max` (`default` when absent) after the row `after`.
    pub fn page<T: FromStr>(&self, default: u64, max: u64) -> Result<Page<T>, ApiError> {
        Ok(Page {
            limit: page_limit(self.limit.as_deref(), default, max)?,
            after: cursor("after", self.after.as_deref())?,
        })
    }
}

/// An optional whole-number query parameter; anything else is 422 naming it.
pub fn number_param(name: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::Invalid(format!("{name} must be a number, not {v:?}")))
        })
        .transpose()
}

/// A `limit` parameter: `default` when absent, 422 outside 1..=`max`.
pub fn page_limit(value: Option<&str>, default: u64, max: u64) -> Result<u64, ApiError> {
    match number_param("limit", value)? {
        None => Ok(default),
        Some(n) if n >= 1 && n as u64 <= max => Ok(n as u64),
        Some(n) => Err(ApiError::Invalid(format!(
            "limit must be from 1 to {max}, not {n}"
        ))),
    }
}

/// A cursor parameter: the id of a row, a whole number from 1; anything else is 422 naming it.
pub fn cursor<T: FromStr>(name: &str, value: Option<&str>) -> Result<Option<T>, ApiError> {
    match number_param(name, value)? {
        None => Ok(None),
        Some(n) if n >= 1 => n
            .to_string()
            .parse()
            .map(Some)
            .map_err(|_| ApiError::Invalid(format!("{name} must be an id, not {n}"))),
        Some(n) => Err(ApiError::Invalid(format!(
            "{name} must be an id (a number from 1), not {n}"
        ))),
    }
}

/// The headers of a page: `header` naming `next` when more rows remain, none on the last page.
pub fn next_page<T: Display>(header: &'static str, next: Option<T>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(next) = next
        && let Ok(value) = HeaderValue::from_str(&next.to_string())
    {
        headers.insert(header, value);
    }
    headers
}
