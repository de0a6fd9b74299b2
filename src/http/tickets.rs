//! Tickets: the queues, one ticket, its messages and timeline, accept, reply, close, return and
//! reassign.

use axum::{
    Json, Router,
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::{get, post},
};
use sea_orm::ActiveEnum;
use serde::Deserialize;

use super::{
    ApiError, AppState,
    extract::{ApiJson, CurrentActor, PathId},
    paging::{AfterQuery, NEXT_AFTER, NEXT_BEFORE, cursor, next_page, number_param, page_limit},
};
use crate::{
    domain::{
        AgentId, ClientId, CloseReason, DepartmentId, MessageId, Place, TicketId, TicketState,
        TicketStatus,
    },
    service::ReassignInput,
    store::{
        MAX_LIST_ROWS,
        history::{DEFAULT_PAGE, MAX_PAGE, StatusFilter, TicketSearch},
        messages::{DEFAULT_MESSAGE_PAGE, MAX_MESSAGE_PAGE, MessagePage},
        paging::Page,
        tickets::LIST_LIMIT,
    },
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
    /// History search: a ticket number, a username, a client id or a Telegram id.
    q: Option<String>,
    client_id: Option<String>,
    limit: Option<String>,
    before: Option<String>,
    after: Option<String>,
}

/// The queues (`status` pending, accepted or open) a page at a time (`limit`, `after`), or,
/// with `q`, `client_id`, `before` or `status=closed`/`all`, a search newest first a page at a
/// time (`limit`, `before`).
async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Result<(HeaderMap, Json<Vec<TicketView>>), ApiError> {
    let status = match query.status.as_deref() {
        None | Some("") | Some("open") => None,
        Some("all") => None,
        Some(s) => Some(TicketStatus::try_from_value(&s.to_owned()).map_err(|_| {
            ApiError::BadRequest(format!(
                "status must be pending, accepted, closed, open or all, not {s:?}"
            ))
        })?),
    };
    let client = number_param("client_id", query.client_id.as_deref())?.map(ClientId);
    let before = cursor::<TicketId>("before", query.before.as_deref())?;
    let q = query.q.filter(|q| !q.trim().is_empty());
    if q.as_deref().is_some_and(|q| q.contains('\0')) {
        return Err(ApiError::Invalid(super::extract::NUL_REFUSED.to_owned()));
    }
    let search = q.is_some()
        || client.is_some()
        || before.is_some()
        || status == Some(TicketStatus::Closed)
        || query.status.as_deref() == Some("all");
    if !search {
        let page = Page {
            limit: page_limit(query.limit.as_deref(), LIST_LIMIT, LIST_LIMIT)?,
            after: cursor("after", query.after.as_deref())?,
        };
        let (tickets, next) = state.service.list_tickets(&actor, status, page).await?;
        return Ok((next_page(NEXT_AFTER, next), Json(tickets)));
    }
    if query.after.as_deref().is_some_and(|a| !a.is_empty()) {
        return Err(ApiError::Invalid(
            "after pages the queues; a search pages with before".to_owned(),
        ));
    }
    let limit = page_limit(query.limit.as_deref(), DEFAULT_PAGE, MAX_PAGE)?;
    let status = match (status, query.status.as_deref()) {
        (Some(status), _) => StatusFilter::One(status),
        (None, Some("open")) => StatusFilter::Open,
        (None, _) => StatusFilter::Any,
    };
    let search = TicketSearch {
        status,
        query: q,
        client,
        limit,
        before,
    };
    let (tickets, next) = state.service.search_tickets(&actor, &search).await?;
    Ok((next_page(NEXT_BEFORE, next), Json(tickets)))
}

async fn one(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
) -> Result<Json<TicketView>, ApiError> {
    Ok(Json(state.service.ticket(&actor, id).await?))
}

#[derive(Deserialize)]
struct PageQuery {
    limit: Option<String>,
    before: Option<String>,
}

/// A page of the conversation: the newest `limit` (default 50, at most 200) messages older than
/// `before`, oldest first; `X-Next-Before` names the cursor for the page before it.
async fn messages(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
    Query(query): Query<PageQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let limit = page_limit(
        query.limit.as_deref(),
        DEFAULT_MESSAGE_PAGE,
        MAX_MESSAGE_PAGE,
    )?;
    let before = cursor::<MessageId>("before", query.before.as_deref())?;
    let page = MessagePage { limit, before };
    let (messages, older) = state.service.messages(&actor, id, page).await?;
    Ok((next_page(NEXT_BEFORE, older), Json(messages)))
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
    /// The customer message (our id, same ticket) the reply quotes.
    reply_to: Option<MessageId>,
}

async fn reply(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
    ApiJson(body): ApiJson<Reply>,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    let message = state
        .service
        .reply(&actor, id, &body.text, body.reply_to)
        .await?;
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

/// A page of the timeline, oldest first: `limit` (1 to 500, default 500) changes after the change
/// `after`; `X-Next-After` names the cursor of the next page.
async fn timeline(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
    Query(query): Query<AfterQuery>,
) -> Result<(HeaderMap, Json<Vec<ChangeView>>), ApiError> {
    let page = query.page(MAX_LIST_ROWS, MAX_LIST_ROWS)?;
    let (changes, next) = state.service.timeline(&actor, id, page).await?;
    Ok((next_page(NEXT_AFTER, next), Json(changes)))
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
