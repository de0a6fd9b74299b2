//! Presence: the online board (`GET /api/agents`) and an agent's own away switch
//! (`PUT /api/presence`).

use axum::{
    Json, Router,
    extract::State,
    routing::{get, put},
};

use super::{
    ApiError, AppState,
    extract::{ApiJson, CurrentActor},
};
use crate::views::{AgentPresenceView, PresenceView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/agents", get(agents))
        .route("/api/presence", put(set_presence))
}

async fn agents(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Result<Json<Vec<AgentPresenceView>>, ApiError> {
    Ok(Json(state.service.agents(&actor).await?))
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
