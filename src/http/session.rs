//! Logging in and out: `POST /api/session`, `GET /api/session`, `DELETE /api/session`.

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use serde::Deserialize;

use crate::views::SessionView;

use super::{
    ApiError, AppState,
    extract::{ApiJson, CurrentActor, SESSION_COOKIE, session_token},
};

/// Seconds a session cookie lives; matches the server-side session.
const COOKIE_MAX_AGE: u32 = 12 * 60 * 60;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/session", post(login).get(me).delete(logout))
}

#[derive(Deserialize)]
struct Credentials {
    login: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    body: Result<ApiJson<Credentials>, ApiError>,
) -> Result<Response, ApiError> {
    // A login or password with a NUL matches no account: the same 401 as any wrong password.
    let ApiJson(body) = body.map_err(|refusal| match refusal {
        ApiError::Invalid(_) => ApiError::Unauthorized("wrong login or password"),
        other => other,
    })?;
    let (token, agent) = state.service.login(&body.login, &body.password).await?;
    let cookie = cookie(&state, &token, COOKIE_MAX_AGE)?;
    Ok(([(header::SET_COOKIE, cookie)], Json(SessionView { agent })).into_response())
}

async fn me(CurrentActor(actor): CurrentActor) -> Json<SessionView> {
    Json(SessionView { agent: actor.agent })
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = session_token(&headers) {
        state.service.logout(&token).await?;
    }
    let cookie = cookie(&state, "", 0)?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

fn cookie(state: &AppState, value: &str, max_age: u32) -> Result<HeaderValue, ApiError> {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    ))
    .map_err(ApiError::internal)
}
