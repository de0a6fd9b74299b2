//! The supervisor board and take-over (supervisors and admins).

use axum::{
    Json, Router,
    extract::State,
    routing::{get, post},
};
use chrono::Utc;
use serde::Deserialize;

use super::{
    ApiError, AppState,
    extract::{ApiJson, CurrentActor, PathId},
};
use crate::{
    domain::{AgentId, TicketId},
    views::{BoardView, TicketView},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/board", get(board))
        .route("/api/tickets/{id}/take-over", post(take_over))
}

async fn board(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Result<Json<BoardView>, ApiError> {
    Ok(Json(state.service.board(&actor, Utc::now()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TakeOver {
    /// The owner the caller saw; when given, the take-over happens only if it is still theirs.
    expected_owner_id: Option<AgentId>,
}

async fn take_over(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
    ApiJson(body): ApiJson<TakeOver>,
) -> Result<Json<TicketView>, ApiError> {
    let expected = body.expected_owner_id;
    Ok(Json(state.service.take_over(&actor, id, expected).await?))
}
