//! Presence: the online board (`GET /api/agents`) and an agent's own away switch
//! (`PUT /api/presence`).

use axum::{
    Json, Router,
    extract::{Query, State},
    http::HeaderMap,
    routing::{get, put},
};

use super::{
    ApiError, AppState,
    extract::{ApiJson, CurrentActor},
    paging::{AfterQuery, NEXT_AFTER, next_page},
};
use crate::{
    store::MAX_LIST_ROWS,
    views::{AgentPresenceView, PresenceView},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/agents", get(agents))
        .route("/api/presence", put(set_presence))
}

/// A page of the online board, by name then id: `limit` (1 to 500, default 500) agents after the
/// agent `after`; `X-Next-After` names the cursor of the next page.
async fn agents(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<AfterQuery>,
) -> Result<(HeaderMap, Json<Vec<AgentPresenceView>>), ApiError> {
    let page = query.page(MAX_LIST_ROWS, MAX_LIST_ROWS)?;
    let (agents, next) = state.service.agents(&actor, page).await?;
    Ok((next_page(NEXT_AFTER, next), Json(agents)))
}

/// `{"presence": "online"|"away"}`; any other value (offline too) is 422.
async fn set_presence(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<Json<PresenceView>, ApiError> {
    let choice = body
        .get("presence")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| {
            ApiError::Invalid(
                "send {\"presence\": \"online\"} or {\"presence\": \"away\"}".to_owned(),
            )
        })?;
    let presence = state.service.set_presence(&actor, choice).await?;
    Ok(Json(PresenceView { presence }))
}
