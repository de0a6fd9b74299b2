//! The framework's own refusals (an unknown route, a wrong method, a bad or repeated query
//! parameter, a failed WebSocket upgrade) in the API's one error shape, `{"error", "message"}`:
//! any error answer that is not JSON yet is rewritten here, keeping its status and headers
//! (`Allow` on a 405).

use axum::{
    Json,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde_json::json;

/// The longest framework message passed on to the client; longer ones are cut.
const MAX_MESSAGE: usize = 300;

/// Rewrites a non-JSON error answer into the API's error shape.
pub async fn uniform(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned())
        .unwrap_or_default();
    let (code, message) = describe(status, text);
    let reshaped = (status, Json(json!({"error": code, "message": message}))).into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let (_, body) = reshaped.into_parts();
    Response::from_parts(parts, body)
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// The error code and a message for a framework refusal; a 5xx says nothing of its cause.
fn describe(status: StatusCode, text: String) -> (&'static str, String) {
    let fallback = |default: &str| {
        if text.is_empty() {
            default.to_owned()
        } else {
            text.chars().take(MAX_MESSAGE).collect()
        }
    };
    match status {
        StatusCode::BAD_REQUEST => ("bad_request", fallback("bad request")),
        StatusCode::UNAUTHORIZED => ("unauthorized", fallback("log in first")),
        StatusCode::FORBIDDEN => ("forbidden", fallback("not allowed")),
        StatusCode::NOT_FOUND => ("not_found", "no such thing here".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this method is not allowed here; see the Allow header".to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload_too_large",
            format!("the request body is over {} bytes", super::MAX_BODY_BYTES),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "send JSON with Content-Type: application/json".to_owned(),
        ),
        StatusCode::UNPROCESSABLE_ENTITY => ("invalid", fallback("invalid request")),
        s if s.is_server_error() => (
            "internal",
            "something went wrong on our side; it has been logged".to_owned(),
        ),
        _ => ("bad_request", fallback("request refused")),
    }
}
