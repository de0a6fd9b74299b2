//! `#` client notes: list and add a client's notes, edit and delete one.

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{get, patch},
};
use serde::Deserialize;

use super::{
    ApiError, AppState,
    extract::{ApiJson, CurrentActor, PathId},
};
use crate::{
    domain::{ClientId, NoteId},
    views::NoteView,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/clients/{id}/notes", get(list).post(add))
        .route("/api/notes/{id}", patch(edit).delete(remove))
}

#[derive(Deserialize)]
struct NoteBody {
    text: String,
}

async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(client): PathId<ClientId>,
) -> Result<Json<Vec<NoteView>>, ApiError> {
    Ok(Json(state.service.notes(&actor, client).await?))
}

async fn add(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(client): PathId<ClientId>,
    ApiJson(body): ApiJson<NoteBody>,
) -> Result<(StatusCode, Json<NoteView>), ApiError> {
    let note = state.service.add_note(&actor, client, &body.text).await?;
    Ok((StatusCode::CREATED, Json(note)))
}

async fn edit(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<NoteId>,
    ApiJson(body): ApiJson<NoteBody>,
) -> Result<Json<NoteView>, ApiError> {
    Ok(Json(state.service.edit_note(&actor, id, &body.text).await?))
}

async fn remove(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<NoteId>,
) -> Result<StatusCode, ApiError> {
    state.service.delete_note(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
