//! The console server: JSON API, the live WebSocket, the embedded console, health.

mod assets;
mod error;
mod extract;
mod health;
mod origin;
mod session;
mod tickets;
mod ws;

use std::sync::Arc;

use axum::{
    Router,
    extract::{DefaultBodyLimit, Request},
    http::Method,
    middleware::{self, Next},
    response::Response,
};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tracing::Instrument;

pub use error::{ApiError, ServerFault};
pub use origin::AllowedOrigins;

use crate::service::Service;

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
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .merge(session::router())
        .merge(tickets::router())
        .merge(ws::router())
        .merge(assets::router())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            origin::check_state_changing,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(trace_request))
        .with_state(state)
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
