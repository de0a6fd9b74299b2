//! Departments: the list with agents and presence (any agent), creating and changing them (admins).

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{get, patch},
};

use super::{
    ApiError, AppState,
    extract::{ApiJson, CurrentActor, PathId},
};
use crate::{
    domain::DepartmentId,
    service::{DepartmentChanges, DepartmentInput},
    views::DepartmentView,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/departments", get(list).post(create))
        .route("/api/departments/{id}", patch(change))
}

async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Result<Json<Vec<DepartmentView>>, ApiError> {
    Ok(Json(state.service.departments(&actor).await?))
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
