//! The logged-in agent's own alert settings: `GET /api/me/settings` and `PATCH /api/me/settings`.
//! There is no route to anyone else's: the session says whose they are.

use axum::{Json, Router, extract::State, routing::get};

use super::{
    ApiError, AppState,
    extract::{ApiJson, CurrentActor},
};
use crate::domain::{AlertSettings, AlertSettingsPatch};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/me/settings", get(settings).patch(change_settings))
}

/// All of the caller's settings (the defaults until they change any).
async fn settings(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
) -> Result<Json<AlertSettings>, ApiError> {
    Ok(Json(state.service.alert_settings(&actor).await?))
}

/// Any of the settings' fields; what is absent stays. An unknown field or a wrong type is 400, a
/// value out of range 422 naming the field.
async fn change_settings(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    ApiJson(patch): ApiJson<AlertSettingsPatch>,
) -> Result<Json<AlertSettings>, ApiError> {
    Ok(Json(
        state.service.change_alert_settings(&actor, patch).await?,
    ))
}
