//! Clients: setting a client's priority (supervisors and admins).

use axum::{Json, Router, extract::State, routing::patch};
use serde::Deserialize;

use super::{
    ApiError, AppState,
    extract::{ApiJson, CurrentActor, PathId},
};
use crate::{
    domain::{ClientId, Priority},
    views::ClientView,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/clients/{id}", patch(change))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientChanges {
    priority: Priority,
}

async fn change(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<ClientId>,
    ApiJson(changes): ApiJson<ClientChanges>,
) -> Result<Json<ClientView>, ApiError> {
    Ok(Json(
        state
            .service
            .set_client_priority(&actor, id, changes.priority)
            .await?,
    ))
}
