//! The console's static files, embedded in the binary, and the alert sound.

use axum::{
    Router,
    extract::State,
    http::{HeaderValue, Method, StatusCode, Uri, header},
    response::{IntoResponse, Response},
    routing::get,
};

use super::{ApiError, AppState};

/// Content-Security-Policy for the console: only its own scripts, styles, media and sockets.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   media-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Every file of web/, by URL path.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "/",
        "text/html; charset=utf-8",
        include_bytes!("../../web/index.html"),
    ),
    (
        "/index.html",
        "text/html; charset=utf-8",
        include_bytes!("../../web/index.html"),
    ),
    (
        "/style.css",
        "text/css; charset=utf-8",
        include_bytes!("../../web/style.css"),
    ),
    (
        "/app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/app.js"),
    ),
    (
        "/api.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/api.js"),
    ),
    (
        "/media.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/media.js"),
    ),
    (
        "/attach.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/attach.js"),
    ),
    (
        "/reports.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/reports.js"),
    ),
    (
        "/supervisor-board.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/supervisor-board.js"),
    ),
    (
        "/priority.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/priority.js"),
    ),
    (
        "/dead-letters.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/dead-letters.js"),
    ),
    (
        "/admin.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/admin.js"),
    ),
    (
        "/admin-agents.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/admin-agents.js"),
    ),
    (
        "/admin-departments.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/admin-departments.js"),
    ),
    (
        "/admin-canned.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/admin-canned.js"),
    ),
    (
        "/admin-texts.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/admin-texts.js"),
    ),
    (
        "/admin-audit.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/admin-audit.js"),
    ),
    (
        "/login.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/login.js"),
    ),
    (
        "/queue.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/queue.js"),
    ),
    (
        "/rating.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/rating.js"),
    ),
    (
        "/chat.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/chat.js"),
    ),
    (
        "/composer.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/composer.js"),
    ),
    (
        "/drafts.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/drafts.js"),
    ),
    (
        "/reading.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/reading.js"),
    ),
    (
        "/sound.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/sound.js"),
    ),
    (
        "/live.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/live.js"),
    ),
    (
        "/state.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/state.js"),
    ),
    (
        "/constants.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/constants.js"),
    ),
    (
        "/dom.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/dom.js"),
    ),
    (
        "/actions.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/actions.js"),
    ),
    (
        "/alerts.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/alerts.js"),
    ),
    (
        "/alarm.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/alarm.js"),
    ),
    (
        "/settings.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/settings.js"),
    ),
    (
        "/board.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/board.js"),
    ),
    (
        "/dept-hours.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/dept-hours.js"),
    ),
    (
        "/ticket-hold.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/ticket-hold.js"),
    ),
    (
        "/close-dialog.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/close-dialog.js"),
    ),
    (
        "/history.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/history.js"),
    ),
    (
        "/notes.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/notes.js"),
    ),
    (
        "/permissions.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/permissions.js"),
    ),
    (
        "/reassign.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/reassign.js"),
    ),
    (
        "/shortcuts.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/shortcuts.js"),
    ),
    (
        "/timeline.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../web/timeline.js"),
    ),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sounds/alert.wav", get(alert))
        .fallback(file)
}

async fn alert(State(state): State<AppState>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "audio/wav"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        state.alert_wav.to_vec(),
    )
        .into_response()
}

/// A console file; an unknown path is 404 whatever the method, a known one 405 unless read.
async fn file(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    let Some((_, mime, bytes)) = FILES.iter().find(|(p, _, _)| *p == path) else {
        return ApiError::NotFound.into_response();
    };
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET,HEAD")],
        )
            .into_response();
    }
    let mut response = (
        [
            (header::CONTENT_TYPE, *mime),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        *bytes,
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}
