//! Extractors that turn bad input into the API's error shape: JSON bodies, path ids, the session.

use axum::{
    extract::{FromRequest, FromRequestParts, Path, Request, rejection::JsonRejection},
    http::{HeaderMap, StatusCode, header, request::Parts},
};
use std::str::FromStr;

use serde::de::DeserializeOwned;

use super::{ApiError, AppState};
use crate::service::Actor;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "sb_session";

/// A JSON body; malformed JSON is 400, a wrong content type 415, an oversized body 413, and a
/// string (or key) anywhere in it holding a NUL character, which PostgreSQL cannot store, 422.
/// This is the one door for text from agents: no route sees a NUL.
pub struct ApiJson<T>(pub T);

/// The refusal of text holding NUL characters.
pub const NUL_REFUSED: &str = "text may not contain NUL (U+0000) characters";

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(req, state)
            .await
            .map_err(|rejection| json_error(&rejection))?;
        if holds_nul(&value) {
            return Err(ApiError::Invalid(NUL_REFUSED.to_owned()));
        }
        serde_json::from_value(value).map(Self).map_err(|error| {
            ApiError::BadRequest(format!(
                "Failed to deserialize the JSON body into the target type: {error}"
            ))
        })
    }
}

/// Whether a string or key anywhere in `value` holds a NUL character. Nesting is bounded by
/// serde_json's own recursion limit (128) when the body was parsed.
fn holds_nul(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

fn json_error(rejection: &JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
        r if r.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        r => ApiError::BadRequest(r.body_text()),
    }
}

/// An id from the path (`TicketId`, `ClientId`, ...); anything but a number is 400.
pub struct PathId<T>(pub T);

impl<T, S> FromRequestParts<S> for PathId<T>
where
    T: FromStr,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::BadRequest("missing id in the path".to_owned()))?;
        raw.parse::<T>()
            .map(Self)
            .map_err(|_| ApiError::BadRequest(format!("{raw:?} is not an id")))
    }
}

/// The session token from the cookie, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// The logged-in agent; 401 without a valid session.
pub struct CurrentActor(pub Actor);

impl FromRequestParts<AppState> for CurrentActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers).ok_or(ApiError::Unauthorized("log in first"))?;
        Ok(Self(state.service.session(&token).await?))
    }
}
