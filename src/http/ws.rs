//! `/ws`: the live event stream. The session and the Origin are checked before the upgrade; the
//! console is registered in the hub before the hello, so no event falls between.

use std::time::Duration;

use axum::{
    Router,
    extract::{
        State, WebSocketUpgrade,
        ws::{CloseFrame, Message, WebSocket, close_code},
    },
    http::HeaderMap,
    response::{IntoResponse, Response},
    routing::any,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;

use super::{ApiError, AppState, extract::session_token};
use crate::service::Actor;

/// The largest frame a console may send.
const MAX_CLIENT_FRAME: usize = 64 * 1024;
/// How often the server pings an idle console.
const PING_EVERY: Duration = Duration::from_secs(25);

pub fn router() -> Router<AppState> {
    Router::new().route("/ws", any(upgrade))
}

async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !state.origins.allows(&headers) {
        tracing::warn!("WebSocket refused: bad origin");
        return ApiError::BadOrigin.into_response();
    }
    let Some(token) = session_token(&headers) else {
        return ApiError::Unauthorized("log in first").into_response();
    };
    let actor = match state.service.session(&token).await {
        Ok(actor) => actor,
        Err(error) => return ApiError::from(error).into_response(),
    };
    let tracker = state.sockets.clone();
    ws.max_message_size(MAX_CLIENT_FRAME)
        .max_frame_size(MAX_CLIENT_FRAME)
        .on_upgrade(move |socket| tracker.track_future(serve(socket, state, actor)))
}

async fn serve(socket: WebSocket, state: AppState, actor: Actor) {
    let agent_id = actor.agent.id;
    let mut subscription = state.service.hub().subscribe(agent_id, actor.scope.clone());
    let (mut tx, mut rx) = socket.split();
    let hello = json!({"type": "hello", "agent": actor.agent}).to_string();
    if tx.send(Message::Text(hello.into())).await.is_err() {
        return;
    }
    tracing::debug!(agent.id = agent_id, "console connected");
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    let close = loop {
        tokio::select! {
            () = state.shutdown.cancelled() => break Some((close_code::AWAY, "server shutting down")),
            frame = subscription.events.recv() => match frame {
                Some(frame) => if tx.send(Message::Text(frame.as_ref().into())).await.is_err() { break None },
                None => break Some((close_code::AGAIN, "too slow for live events; reconnect")),
            },
            _ = ping.tick() => if tx.send(Message::Ping(Default::default())).await.is_err() { break None },
            incoming = rx.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    if tx.send(Message::Text(answer(text.as_str()).into())).await.is_err() { break None }
                }
                Some(Ok(Message::Binary(_))) => {
                    let refusal = error_frame("bad_request", "send JSON text frames");
                    if tx.send(Message::Text(refusal.into())).await.is_err() { break None }
                }
                Some(Ok(Message::Close(_))) | None => break None,
                Some(Ok(_)) => {}
                Some(Err(error)) => {
                    tracing::debug!(agent.id = agent_id, %error, "console frame refused");
                    break Some((close_code::SIZE, "frame too large or malformed"));
                }
            },
        }
    };
    if let Some((code, reason)) = close {
        let _ = tx
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })))
            .await;
    }
    tracing::debug!(agent.id = agent_id, "console disconnected");
}

/// The answer to a frame from the console: consoles only ping; anything else is refused.
fn answer(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) if value.get("type").and_then(|t| t.as_str()) == Some("ping") => {
            json!({"type": "pong"}).to_string()
        }
        Ok(_) => error_frame(
            "bad_request",
            "unknown message type; consoles may only send {\"type\":\"ping\"}",
        ),
        Err(_) => error_frame("bad_request", "frames must be JSON"),
    }
}

fn error_frame(code: &str, message: &str) -> String {
    json!({"type": "error", "error": code, "message": message}).to_string()
}
