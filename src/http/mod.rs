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

use axum::{Router, extract::DefaultBodyLimit, middleware};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

pub use error::ApiError;
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
        .with_state(state)
}
