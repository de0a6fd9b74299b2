//! `/ws`: the live event stream. The session (through the same extractor as every route) and the
//! Origin are checked before the upgrade; the console is registered in the hub before the hello,
//! so no event falls between.

use std::{ops::ControlFlow, time::Duration};

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
use futures_util::{SinkExt, StreamExt, stream::SplitSink};

use super::{ApiError, AppState, extract::CurrentActor};
use crate::{
    hub::{ClientFrame, ServerFrame},
    service::Actor,
};

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
    actor: Result<CurrentActor, ApiError>,
    ws: WebSocketUpgrade,
) -> Response {
    if !state.origins.allows(&headers) {
        tracing::warn!("WebSocket refused: bad origin");
        return ApiError::BadOrigin.into_response();
    }
    let CurrentActor(actor) = match actor {
        Ok(actor) => actor,
        Err(refusal) => return refusal.into_response(),
    };
    let tracker = state.sockets.clone();
    ws.max_message_size(MAX_CLIENT_FRAME)
        .max_frame_size(MAX_CLIENT_FRAME)
        .on_upgrade(move |socket| tracker.track_future(serve(socket, state, actor)))
}

type Sender = SplitSink<WebSocket, Message>;

async fn serve(socket: WebSocket, state: AppState, actor: Actor) {
    let agent_id = actor.agent.id;
    let mut subscription = state.service.hub().subscribe(agent_id, actor.scope.clone());
    let (mut tx, mut rx) = socket.split();
    let hello = ServerFrame::Hello { agent: actor.agent };
    if send(&mut tx, hello.to_text()).await.is_break() {
        return;
    }
    tracing::debug!(agent.id = %agent_id, "console connected");
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    let close = loop {
        let step = tokio::select! {
            () = state.shutdown.cancelled() => ControlFlow::Break(close_with(close_code::AWAY, "server shutting down")),
            frame = subscription.events.recv() => match frame {
                Some(frame) => send(&mut tx, frame.as_ref()).await,
                None => ControlFlow::Break(close_with(close_code::AGAIN, "too slow for live events; reconnect")),
            },
            _ = ping.tick() => {
                if tx.send(Message::Ping(Default::default())).await.is_err() {
                    ControlFlow::Break(None)
                } else {
                    ControlFlow::Continue(())
                }
            }
            incoming = rx.next() => match process_message(incoming) {
                ControlFlow::Continue(Some(answer)) => send(&mut tx, answer.to_text()).await,
                ControlFlow::Continue(None) => ControlFlow::Continue(()),
                ControlFlow::Break(close) => ControlFlow::Break(close),
            },
        };
        if let ControlFlow::Break(close) = step {
            break close;
        }
    };
    if let Some(frame) = close {
        let _ = tx.send(Message::Close(Some(frame))).await;
    }
    tracing::debug!(agent.id = %agent_id, "console disconnected");
}

/// How a step of the loop ends: go on, or stop with a close frame to send (None when the socket
/// is gone).
type Close = ControlFlow<Option<CloseFrame>>;

/// Stops with a close frame.
fn close_with(code: u16, reason: &'static str) -> Option<CloseFrame> {
    Some(CloseFrame {
        code,
        reason: reason.into(),
    })
}

/// Sends a text frame; breaks when the console is gone.
async fn send(tx: &mut Sender, text: impl Into<axum::extract::ws::Utf8Bytes>) -> Close {
    if tx.send(Message::Text(text.into())).await.is_err() {
        ControlFlow::Break(None)
    } else {
        ControlFlow::Continue(())
    }
}

/// What a frame from the console asks for: an answer to send (a pong, or an error frame for a
/// frame the protocol does not have), nothing, or the end of the connection.
fn process_message(
    incoming: Option<Result<Message, axum::Error>>,
) -> ControlFlow<Option<CloseFrame>, Option<ServerFrame>> {
    match incoming {
        Some(Ok(Message::Text(text))) => ControlFlow::Continue(Some(answer(text.as_str()))),
        Some(Ok(Message::Binary(_))) => {
            ControlFlow::Continue(Some(error_frame("bad_request", "send JSON text frames")))
        }
        Some(Ok(Message::Close(_))) | None => ControlFlow::Break(None),
        Some(Ok(Message::Ping(_) | Message::Pong(_))) => ControlFlow::Continue(None),
        Some(Err(error)) => {
            tracing::debug!(%error, "console frame refused");
            ControlFlow::Break(close_for(&error))
        }
    }
}

/// The close frame for a frame the WebSocket layer refused: 1009 for one too big, 1007 for text
/// that is not UTF-8, 1002 for any other protocol violation; none when the connection broke.
/// (axum hides tungstenite's error type, whose messages start with these words.)
fn close_for(error: &axum::Error) -> Option<CloseFrame> {
    let text = error.to_string();
    if text.starts_with("Space limit exceeded") {
        close_with(close_code::SIZE, "frame too large")
    } else if text.starts_with("UTF-8 encoding error") {
        close_with(close_code::INVALID, "text frames must be UTF-8")
    } else if text.starts_with("WebSocket protocol error") || text.starts_with("Attack attempt") {
        close_with(close_code::PROTOCOL, "WebSocket protocol violation")
    } else {
        None
    }
}

/// The answer to a text frame from the console.
fn answer(text: &str) -> ServerFrame {
    match serde_json::from_str::<ClientFrame>(text) {
        Ok(ClientFrame::Ping) => ServerFrame::Pong,
        Err(_) if serde_json::from_str::<serde_json::Value>(text).is_ok() => error_frame(
            "bad_request",
            "unknown message type; consoles may only send {\"type\":\"ping\"}",
        ),
        Err(_) => error_frame("bad_request", "frames must be JSON"),
    }
}

fn error_frame(code: &str, message: &str) -> ServerFrame {
    ServerFrame::Error {
        error: code.to_owned(),
        message: message.to_owned(),
    }
}
