//! `GET /api/dead-letters`: the Telegram updates that could not be processed, newest first
//! (admins only).

use axum::{
    Json, Router,
    extract::{Query, State},
    http::HeaderMap,
    routing::get,
};

use super::{
    ApiError, AppState,
    extract::CurrentActor,
    paging::{NEXT_BEFORE, cursor, next_page, page_limit},
};
use crate::{domain::DeadLetterId, store::paging::Page, views::DeadLetterView};

/// The default and largest page.
const DEFAULT_PAGE: u64 = 50;
const MAX_PAGE: u64 = 200;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/dead-letters", get(list))
}

#[derive(serde::Deserialize)]
struct ListQuery {
    limit: Option<String>,
    before: Option<String>,
}

/// A page of dead letters, newest first: `limit` (1 to 200, default 50) before the dead letter
/// `before`; `X-Next-Before` names the cursor of the older page.
async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Result<(HeaderMap, Json<Vec<DeadLetterView>>), ApiError> {
    let page = Page {
        limit: page_limit(query.limit.as_deref(), DEFAULT_PAGE, MAX_PAGE)?,
        after: cursor::<DeadLetterId>("before", query.before.as_deref())?,
    };
    let (letters, next) = state.service.dead_letters(&actor, page).await?;
    Ok((next_page(NEXT_BEFORE, next), Json(letters)))
}
