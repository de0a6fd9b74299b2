//! Departments: the list with agents and presence (any agent), creating and changing them (admins).

use axum::{
    Json, Router,
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    routing::{get, patch},
};

use super::{
    ApiError, AppState,
    extract::{ApiJson, CurrentActor, PathId},
    paging::{AfterQuery, NEXT_AFTER, next_page},
};
use crate::{
    domain::DepartmentId,
    service::{DepartmentChanges, DepartmentInput},
    store::MAX_LIST_ROWS,
    views::DepartmentView,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/departments", get(list).post(create))
        .route("/api/departments/{id}", patch(change))
}

/// A page of the departments by position then id: `limit` (1 to 500, default 500) departments
/// after the department `after`; `X-Next-After` names the cursor of the next page.
async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<AfterQuery>,
) -> Result<(HeaderMap, Json<Vec<DepartmentView>>), ApiError> {
    let page = query.page(MAX_LIST_ROWS, MAX_LIST_ROWS)?;
    let (departments, next) = state.service.departments(&actor, page).await?;
    Ok((next_page(NEXT_AFTER, next), Json(departments)))
}

async fn create(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(input): ApiJson<DepartmentInput>,
) -> Result<(StatusCode, Json<DepartmentView>), ApiError> {
    let department = state.service.create_department(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(department)))
}

async fn change(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<DepartmentId>,
    ApiJson(changes): ApiJson<DepartmentChanges>,
) -> Result<Json<DepartmentView>, ApiError> {
    Ok(Json(
        state.service.change_department(&actor, id, changes).await?,
    ))
}
