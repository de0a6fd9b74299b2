//! `#` client notes: list and add a client's notes, edit and delete one.

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
    paging::{AfterQuery, NEXT_AFTER, next_page},
};
use crate::{
    domain::{ClientId, NoteId},
    store::MAX_LIST_ROWS,
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

/// A page of a client's notes, oldest first: `limit` (1 to 500, default 500) notes after the note
/// `after`; `X-Next-After` names the cursor of the next page.
async fn list(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(client): PathId<ClientId>,
    Query(query): Query<AfterQuery>,
) -> Result<(HeaderMap, Json<Vec<NoteView>>), ApiError> {
    let page = query.page(MAX_LIST_ROWS, MAX_LIST_ROWS)?;
    let (notes, next) = state.service.notes(&actor, client, page).await?;
    Ok((next_page(NEXT_AFTER, next), Json(notes)))
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
