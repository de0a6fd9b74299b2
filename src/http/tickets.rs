//! Tickets: the queues, one ticket, its messages and timeline, accept, reply, close, return and
//! reassign.

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
    domain::{AgentId, CloseReason, DepartmentId, Place, TicketId, TicketState, TicketStatus},
    service::ReassignInput,
    views::{ChangeView, MessageView, TicketView},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/tickets", get(list))
        .route("/api/tickets/{id}", get(one))
        .route("/api/tickets/{id}/messages", get(messages).post(reply))
        .route("/api/tickets/{id}/accept", post(accept))
        .route("/api/tickets/{id}/close", post(close))
        .route("/api/tickets/{id}/return", post(return_to_queue))
        .route("/api/tickets/{id}/timeline", get(timeline))
        .route("/api/tickets/{id}/reassign", post(reassign))
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

#[derive(Deserialize)]
struct Close {
    reason: String,
    comment: Option<String>,
}

async fn close(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
    ApiJson(body): ApiJson<Close>,
) -> Result<Json<TicketView>, ApiError> {
    let reason = CloseReason::try_from_value(&body.reason).map_err(|_| {
        ApiError::Invalid(format!(
            "reason must be resolved, idle, spam or duplicate, not {:?}",
            body.reason
        ))
    })?;
    let ticket = state
        .service
        .close(&actor, id, reason, body.comment.as_deref())
        .await?;
    Ok(Json(ticket))
}

async fn return_to_queue(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
) -> Result<Json<TicketView>, ApiError> {
    Ok(Json(state.service.return_to_queue(&actor, id).await?))
}

async fn timeline(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
) -> Result<Json<Vec<ChangeView>>, ApiError> {
    Ok(Json(state.service.timeline(&actor, id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reassign {
    department_id: DepartmentId,
    agent_id: Option<AgentId>,
    note: Option<String>,
    expected: Option<Expected>,
}

/// Where the caller saw the ticket: its department and owner (none: Pending).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    department_id: DepartmentId,
    owner_id: Option<AgentId>,
}

impl From<Expected> for Place {
    fn from(expected: Expected) -> Self {
        Self {
            state: match expected.owner_id {
                Some(owner) => TicketState::Accepted { owner },
                None => TicketState::Pending,
            },
            department: expected.department_id,
        }
    }
}

async fn reassign(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
    ApiJson(body): ApiJson<Reassign>,
) -> Result<Json<TicketView>, ApiError> {
    let input = ReassignInput {
        department: body.department_id,
        agent: body.agent_id,
        note: body.note,
        expected: body.expected.map(Place::from),
    };
    Ok(Json(state.service.reassign(&actor, id, input).await?))
}
