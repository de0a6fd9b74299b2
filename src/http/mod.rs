//! The console server: JSON API, the live WebSocket, the embedded console, health.

mod admin;
mod assets;
mod board;
mod canned;
mod clients;
mod dead_letters;
mod departments;
mod error;
mod extract;
mod files;
mod health;
mod metrics;
mod notes;
mod origin;
mod paging;
mod presence;
mod ratings;
mod reading;
mod rejections;
mod reports;
mod serve;
mod session;
mod session_watch;
mod settings;
mod throttle;
mod ticket_state;
mod tickets;
mod transcripts;
mod uploads;
mod webhook;
mod ws;
mod ws_slots;

use std::sync::Arc;

use axum::{
    Router,
    extract::{DefaultBodyLimit, Request, State},
    http::Method,
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tracing::Instrument;

pub use error::{ApiError, ServerFault};
pub use origin::AllowedOrigins;
pub use serve::serve;
pub use session_watch::SessionWatch;
pub use throttle::AddressThrottle;
pub use webhook::{MAX_UPDATE_BYTES, SECRET_HEADER, Webhook};
pub use ws::{CLOSE_SCOPE_CHANGED, CLOSE_SESSION_ENDED};
pub use ws_slots::SocketSlots;

use crate::{limits::Limits, service::Service};

/// The largest request body the API takes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What every handler gets. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    pub origins: Arc<AllowedOrigins>,
    /// Whether cookies get the `Secure` flag (the console is served over https).
    pub secure_cookies: bool,
    /// Cancelled when the server stops; open WebSockets close on it.
    pub shutdown: CancellationToken,
    /// Tracks WebSocket tasks so shutdown can wait for them.
    pub sockets: TaskTracker,
    /// The alert chime as WAV bytes.
    pub alert_wav: Arc<[u8]>,
    /// Connection, login and WebSocket limits.
    pub limits: Arc<Limits>,
    /// Login attempts per client address.
    pub login_addresses: Arc<AddressThrottle>,
    /// Places for live consoles, per agent and in all.
    pub socket_slots: Arc<SocketSlots>,
    /// The open consoles' sessions, re-checked in one batch per period.
    pub session_watch: Arc<SessionWatch>,
    /// Telegram chat actions (typing), throttled per ticket.
    pub chat_actions: Arc<crate::telegram::actions::ChatActions>,
    /// Webhook mode's route, secret and bot; None when polling.
    pub webhook: Option<Arc<Webhook>>,
    /// Customers' files fetched from Telegram, cached on disk.
    pub files: Arc<crate::telegram::files::FileCache>,
    /// `SWITCHBOARD_METRICS_TOKEN`: the bearer token of `/metrics` (None: no `/metrics`).
    pub metrics_token: Option<Arc<str>>,
}

/// The whole HTTP application. The webhook route (Telegram's door) sits outside the Origin check
/// and the console's body limit; it has its own secret check and limit.
pub fn router(state: AppState) -> Router {
    let console = Router::new()
        .merge(health::router())
        .merge(session::router())
        .merge(tickets::router())
        .merge(ticket_state::router())
        .merge(ratings::router())
        .merge(transcripts::router())
        .merge(files::router())
        .merge(reading::router())
        .merge(canned::router())
        .merge(ws::router())
        .merge(notes::router())
        .merge(presence::router())
        .merge(departments::router())
        .merge(admin::router())
        .merge(board::router())
        .merge(clients::router())
        .merge(settings::router())
        .merge(dead_letters::router())
        .merge(reports::router())
        .merge(metrics::router())
        .merge(uploads::router())
        .merge(assets::router())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            origin::check_state_changing,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    Router::new()
        .merge(webhook::router(state.webhook.as_ref(), &state))
        .merge(console)
        .layer(middleware::from_fn(rejections::uniform))
        .layer(middleware::from_fn_with_state(state.clone(), time_limit))
        .layer(middleware::from_fn(trace_request))
        .with_state(state)
}

/// Answers 408 and closes the connection when a request (its body included) is not read and
/// answered within `SWITCHBOARD_BODY_TIMEOUT`: a client that announces a body and never sends it
/// does not hold the connection.
async fn time_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(state.limits.body_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let mut response = ApiError::RequestTimeout.into_response();
            response.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
            response
        }
    }
}

/// One span per request; changes are logged at info, reads (and health checks) at debug, and a
/// server fault at error with its whole cause chain: the one place faults are logged.
async fn trace_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let span = tracing::info_span!("request", %method, %path);
    let response = next.run(request).instrument(span.clone()).await;
    let status = response.status().as_u16();
    if let Some(ServerFault(error)) = response.extensions().get::<ServerFault>() {
        tracing::error!(parent: &span, status, error = ?error, "request failed");
    } else if matches!(method, Method::GET | Method::HEAD) {
        tracing::debug!(parent: &span, status, "served");
    } else {
        tracing::info!(parent: &span, status, "served");
    }
    response
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::{Router, body::Body, http::StatusCode, routing::get};
    use tower::ServiceExt;

    use super::*;

    /// Collects what the log writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("log buffer").extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_server_fault_is_logged_once_with_its_cause_and_never_shown_to_the_client() {
        let log = Captured::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = Router::new()
            .route(
                "/boom",
                get(|| async {
                    Err::<(), _>(ApiError::internal(
                        anyhow::anyhow!("disk on fire").context("storing a reply"),
                    ))
                }),
            )
            .layer(middleware::from_fn(trace_request));

        let response = app
            .oneshot(
                Request::get("/boom")
                    .body(Body::empty())
                    .expect("a request"),
            )
            .await
            .expect("a response");

        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .expect("the body");
        let body = String::from_utf8_lossy(&body);
        assert!(
            body.contains("\"internal\"") && !body.contains("fire"),
            "{body}"
        );
        let log = String::from_utf8_lossy(&log.0.lock().expect("log buffer")).into_owned();
        assert_eq!(log.matches("request failed").count(), 1, "{log}");
        assert!(
            log.contains("storing a reply") && log.contains("disk on fire"),
            "the whole cause chain is logged: {log}"
        );
    }
}
