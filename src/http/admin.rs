//! Administration (admins only; the service refuses everyone else with 403): agents, bot texts
//! and the audit trail. Departments and canned responses keep their own routes.

use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    routing::{get, patch, post, put},
};
use serde::Deserialize;

use super::{
    ApiError, AppState,
    extract::{ApiJson, CurrentActor, PathId},
    paging::{AfterQuery, NEXT_AFTER, NEXT_BEFORE, cursor, next_page, page_limit},
};
use crate::{
    domain::AgentId,
    service::{AgentChanges, NewAgent},
    store::MAX_LIST_ROWS,
    views::{AdminAgentView, AuditView, BotTextView},
};

/// The audit trail's default and largest page.
const AUDIT_PAGE: u64 = 100;
const AUDIT_MAX: u64 = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/agents", get(agents).post(create_agent))
        .route("/api/admin/agents/{id}", patch(change_agent))
        .route("/api/admin/agents/{id}/password", post(reset_password))
        .route("/api/admin/bot-texts", get(bot_texts))
        .route(
            "/api/admin/bot-texts/{language}/{key}",
            put(set_bot_text).delete(reset_bot_text),
        )
        .route("/api/audit", get(audit))
}

/// A page of every agent, disabled ones too, by id: `limit` (1 to 500, default 500) after
/// `after`; `X-Next-After` names the next page.
async fn agents(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<AfterQuery>,
) -> Result<(HeaderMap, Json<Vec<AdminAgentView>>), ApiError> {
    let page = query.page::<AgentId>(MAX_LIST_ROWS, MAX_LIST_ROWS)?;
    let (agents, next) = state
        .service
        .admin_agents(&actor, page.limit, page.after)
        .await?;
    Ok((next_page(NEXT_AFTER, next), Json(agents)))
}

async fn create_agent(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<NewAgent>,
) -> Result<(StatusCode, Json<AdminAgentView>), ApiError> {
    let agent = state.service.create_agent(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(agent)))
}

async fn change_agent(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<AgentId>,
    ApiJson(changes): ApiJson<AgentChanges>,
) -> Result<Json<AdminAgentView>, ApiError> {
    Ok(Json(state.service.change_agent(&actor, id, changes).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPassword {
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<AgentId>,
    ApiJson(body): ApiJson<NewPassword>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .reset_password(&actor, id, &body.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn bot_texts(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Result<Json<Vec<BotTextView>>, ApiError> {
    Ok(Json(state.service.bot_texts(&actor).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTemplate {
    template: String,
}

async fn set_bot_text(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path((language, key)): Path<(String, String)>,
    ApiJson(body): ApiJson<NewTemplate>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .set_bot_text(&actor, &language, &key, &body.template)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn reset_bot_text(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Path((language, key)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .service
        .reset_bot_text(&actor, &language, &key)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<String>,
    before: Option<String>,
}

/// The audit trail newest first: `limit` (1 to 500, default 100) rows older than `before`;
/// `X-Next-Before` names the next page.
async fn audit(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<AuditQuery>,
) -> Result<(HeaderMap, Json<Vec<AuditView>>), ApiError> {
    let limit = page_limit(query.limit.as_deref(), AUDIT_PAGE, AUDIT_MAX)?;
    let before = cursor::<i64>("before", query.before.as_deref())?;
    let rows = state.service.audit(&actor, limit, before).await?;
    let next = (rows.len() as u64 == limit)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    Ok((next_page(NEXT_BEFORE, next), Json(rows)))
}
