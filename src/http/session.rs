//! Logging in and out: `POST /api/session`, `GET /api/session`, `DELETE /api/session`.

use axum::{
    Json, Router,
    extract::{FromRequest, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use serde::Deserialize;

use crate::views::SessionView;

use super::{
    ApiError, AppState,
    extract::{ApiJson, CurrentActor, SESSION_COOKIE, session_token},
    throttle::client_address,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/session", post(login).get(me).delete(logout))
}

#[derive(Deserialize)]
struct Credentials {
    login: String,
    password: String,
}

/// Logs in. Each client address has a bucket of attempts (checked before the body is read); the
/// service throttles each login and bounds the password checks running at once.
async fn login(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    if let Some(address) = client_address(&parts, &state.limits.trusted_proxies)
        && let Err(wait) = state.login_addresses.take(address)
    {
        tracing::warn!(client.address = %address, "login refused: too many attempts from this address");
        return Err(ApiError::Limited {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "too_many_requests",
            message: "too many login attempts from this address; try again later".to_owned(),
            retry_after: wait.as_secs_f64().ceil().max(1.0) as u64,
        });
    }
    // A login or password with a NUL matches no account: the same 401 as any wrong password.
    let ApiJson(body) =
        ApiJson::<Credentials>::from_request(Request::from_parts(parts, body), &state)
            .await
            .map_err(|refusal| match refusal {
                ApiError::Invalid(_) => ApiError::Unauthorized("wrong login or password"),
                other => other,
            })?;
    let (token, agent) = state.service.login(&body.login, &body.password).await?;
    let max_age = u32::try_from(state.service.session_ttl().as_secs()).unwrap_or(u32::MAX);
    let cookie = cookie(&state, &token, max_age)?;
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
