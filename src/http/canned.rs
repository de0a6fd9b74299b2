//! Canned responses: agents list their departments' ones; supervisors and admins write them.

use axum::{
    Json, Router,
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    routing::{get, patch},
};
use serde::Deserialize;

use super::{
    ApiError, AppState,
    extract::{ApiJson, CurrentActor, PathId},
    paging::{AfterQuery, NEXT_AFTER, next_page, number_param},
};
use crate::{
    domain::{CannedId, DepartmentId},
    service::{CannedChanges, CannedInput},
    store::MAX_LIST_ROWS,
    views::CannedView,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/canned", get(list).post(create))
        .route("/api/canned/{id}", patch(change).delete(remove))
}

#[derive(Deserialize)]
struct ListQuery {
    department: Option<String>,
    #[serde(flatten)]
    page: AfterQuery,
}

/// A page of the canned responses of the caller's departments (or of `department`) by id:
/// `limit` (1 to 500, default 500) after `after`; `X-Next-After` names the next page.
async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ListQuery>,
) -> Result<(HeaderMap, Json<Vec<CannedView>>), ApiError> {
    let department = number_param("department", query.department.as_deref())?.map(DepartmentId);
    let page = query.page.page(MAX_LIST_ROWS, MAX_LIST_ROWS)?;
    let (canned, next) = state.service.canned(&actor, department, page).await?;
    Ok((next_page(NEXT_AFTER, next), Json(canned)))
}

async fn create(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<CannedInput>,
) -> Result<(StatusCode, Json<CannedView>), ApiError> {
    let canned = state.service.create_canned(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(canned)))
}

async fn change(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<CannedId>,
    ApiJson(changes): ApiJson<CannedChanges>,
) -> Result<Json<CannedView>, ApiError> {
    Ok(Json(
        state.service.change_canned(&actor, id, changes).await?,
    ))
}

async fn remove(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<CannedId>,
) -> Result<StatusCode, ApiError> {
    state.service.delete_canned(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
