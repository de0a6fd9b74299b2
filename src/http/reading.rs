//! Reading and typing: an agent's read marker on a ticket, and "typing…" to the customer.

use axum::{Json, Router, extract::State, http::StatusCode, routing::post};
use serde::Deserialize;

use super::{
    ApiError, AppState,
    extract::{ApiJson, CurrentActor, PathId},
};
use crate::{
    domain::{MessageId, TicketId},
    views::ReadView,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/tickets/{id}/read", post(read))
        .route("/api/tickets/{id}/typing", post(typing))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Read {
    message_id: MessageId,
}

/// Moves the caller's read marker forward to `message_id` (never back).
async fn read(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
    ApiJson(body): ApiJson<Read>,
) -> Result<Json<ReadView>, ApiError> {
    Ok(Json(
        state.service.mark_read(&actor, id, body.message_id).await?,
    ))
}

/// The owner is typing: Telegram shows the customer `typing` (at most once per 5 s per ticket).
async fn typing(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
) -> Result<StatusCode, ApiError> {
    let chat = state.service.typing_chat(&actor, id).await?;
    state.chat_actions.typing(id, chat).await;
    Ok(StatusCode::NO_CONTENT)
}
