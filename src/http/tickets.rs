//! Tickets: the queues, one ticket, its messages, accept and reply.

use axum::{
    Json, Router,
    extract::{Query, State},
    http::StatusCode,
    routing::{get, post},
};
use sea_orm::ActiveEnum;
use serde::Deserialize;

use super::{
    ApiError, AppState,
    extract::{ApiJson, CurrentActor, PathId},
};
use crate::{
    domain::{TicketId, TicketStatus},
    views::{MessageView, TicketView},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/tickets", get(list))
        .route("/api/tickets/{id}", get(one))
        .route("/api/tickets/{id}/messages", get(messages).post(reply))
        .route("/api/tickets/{id}/accept", post(accept))
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<TicketView>>, ApiError> {
    let status = match query.status.as_deref() {
        None | Some("") | Some("open") => None,
        Some(s) => Some(TicketStatus::try_from_value(&s.to_owned()).map_err(|_| {
            ApiError::BadRequest(format!(
                "status must be pending, accepted or closed, not {s:?}"
            ))
        })?),
    };
    Ok(Json(state.service.list_tickets(&actor, status).await?))
}

async fn one(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
) -> Result<Json<TicketView>, ApiError> {
    Ok(Json(state.service.ticket(&actor, id).await?))
}

async fn messages(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
) -> Result<Json<Vec<MessageView>>, ApiError> {
    Ok(Json(state.service.messages(&actor, id).await?))
}

async fn accept(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
) -> Result<Json<TicketView>, ApiError> {
    Ok(Json(state.service.accept(&actor, id).await?))
}

#[derive(Deserialize)]
struct Reply {
    text: String,
}

async fn reply(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
    ApiJson(body): ApiJson<Reply>,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    let message = state.service.reply(&actor, id, &body.text).await?;
    Ok((StatusCode::CREATED, Json(message)))
}
