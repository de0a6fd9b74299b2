//! `POST <path of TELEGRAM_WEBHOOK_URL>`: Telegram delivers an update. No session and no Origin:
//! the `X-Telegram-Bot-Api-Secret-Token` header, compared in constant time, is the credential
//! (wrong or missing → 401, the body unread, nothing stored). The update is processed as the
//! poller processes it and answered 200 only once it is committed (or dead-lettered); a failure
//! that may pass is 500, so Telegram delivers it again. A repeat of an update changes nothing.

use std::sync::Arc;

use axum::{
    Router,
    body::Bytes,
    extract::{DefaultBodyLimit, Request, State},
    http::{HeaderMap, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::post,
};
use blake2::{Blake2s256, Digest};
use serde_json::Value;

use super::{ApiError, AppState};
use crate::telegram::{
    process,
    update::{self, Received},
};

/// The header Telegram sends the webhook's secret in.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";
/// The largest update body taken (Telegram's updates are a few KiB).
pub const MAX_UPDATE_BYTES: usize = 1024 * 1024;

/// Webhook mode's parts: the route's path, the secret, and the bot (for answering presses).
pub struct Webhook {
    pub path: String,
    pub secret: String,
    pub bot: teloxide::Bot,
}

/// The webhook route, when webhook mode is on; an empty router otherwise.
pub fn router(webhook: Option<&Arc<Webhook>>, state: &AppState) -> Router<AppState> {
    let Some(webhook) = webhook else {
        return Router::new();
    };
    Router::new().route(
        &webhook.path,
        post(receive)
            .layer(DefaultBodyLimit::max(MAX_UPDATE_BYTES))
            .layer(middleware::from_fn_with_state(state.clone(), check_secret)),
    )
}

/// Refuses a request without the webhook's secret before its body is read.
async fn check_secret(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(webhook) = state.webhook.as_ref() else {
        return ApiError::NotFound.into_response();
    };
    if !has_secret(request.headers(), &webhook.secret) {
        tracing::warn!("a webhook request without the right secret was refused");
        return ApiError::Unauthorized("wrong or missing webhook secret").into_response();
    }
    next.run(request).await
}

async fn receive(
    State(state): State<AppState>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<StatusCode, ApiError> {
    let webhook = state.webhook.as_ref().ok_or(ApiError::NotFound)?;
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::BodyOver(MAX_UPDATE_BYTES)
        } else {
            ApiError::BadRequest(rejection.body_text())
        }
    })?;
    let received = match serde_json::from_slice::<Value>(&body) {
        Ok(raw) => update::parse(raw),
        Err(error) => Received {
            id: None,
            raw: Value::String(String::from_utf8_lossy(&body).into_owned()),
            read: Err(format!("unreadable JSON: {error}")),
        },
    };
    let processed = process::process(&webhook.bot, &state.service, &received)
        .await
        .map_err(ApiError::internal)?;
    tracing::debug!(?processed, "webhook update processed");
    Ok(StatusCode::OK)
}

/// Whether the request carries `secret`, compared in constant time (digests of both, so neither
/// the content nor the length of the secret leaks through timing).
fn has_secret(headers: &HeaderMap, secret: &str) -> bool {
    let Some(given) = headers.get(SECRET_HEADER) else {
        return false;
    };
    let given = Blake2s256::digest(given.as_bytes());
    let expected = Blake2s256::digest(secret.as_bytes());
    let difference = given
        .iter()
        .zip(expected.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn with(secret: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(SECRET_HEADER, HeaderValue::from_str(secret).unwrap());
        headers
    }

    #[test]
    fn only_the_exact_secret_passes() {
        assert!(has_secret(&with("s3cret"), "s3cret"));
        assert!(!has_secret(&with("s3cres"), "s3cret"));
        assert!(!has_secret(&with("s3cret2"), "s3cret"));
        assert!(!has_secret(&with(""), "s3cret"));
        assert!(!has_secret(&HeaderMap::new(), "s3cret"));
    }
}
