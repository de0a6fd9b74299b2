//! `/ws`: the live event stream. The session (through the same extractor as every route), the
//! Origin and `?after=` are checked before the upgrade; the console is registered in the hub
//! before its backlog is read and the hello sent, so no event falls between.

use std::{ops::ControlFlow, sync::Arc, time::Duration};

use axum::{
    Router,
    body::Bytes,
    extract::{
        Query, State, WebSocketUpgrade,
        rejection::QueryRejection,
        ws::{CloseFrame, Message, Utf8Bytes, WebSocket, close_code},
    },
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::any,
};
use futures_util::{SinkExt, StreamExt, stream::SplitSink};

use serde::Deserialize;
use tokio::sync::mpsc;

use super::{
    ApiError, AppState,
    extract::{CurrentActor, session_token},
    paging::number_param,
    session_watch::Verdict,
    ws_slots::NoSlot,
};
use crate::{
    domain::EventSeq,
    hub::{ClientFrame, Frame, FrameRefusal, ServerFrame},
    service::Actor,
};

/// The largest frame a console may send.
const MAX_CLIENT_FRAME: usize = 64 * 1024;
/// The read buffer each socket starts with (the library's default is 128 KiB, zero-filled on the
/// first read: that was most of an idle console's memory). A console sends only pings of a few
/// dozen bytes; a larger frame (up to `MAX_CLIENT_FRAME`) grows the buffer as it arrives.
const READ_BUFFER: usize = 1024;
/// Frames wait in the out buffer only while a burst from the console's queue is written with one
/// flush (`send_frames`); every other send is flushed at once. Past this many bytes the buffer is
/// written out even mid-burst, so it holds at most this plus one frame (a console keeps that
/// capacity after a burst; the hello when it never had one).
const WRITE_BUFFER: usize = 4 * 1024;
/// The most frames from the console's queue written with one flush.
const FRAMES_PER_WRITE: usize = 16;
/// The most a socket's out buffer may hold when the network does not take it (the hub's
/// per-console queue, not this buffer, absorbs bursts). Larger than any frame the server sends.
const MAX_WRITE_BUFFER: usize = 512 * 1024;
/// The close code for a console whose session ended (logout, expiry, disabled, new password).
pub const CLOSE_SESSION_ENDED: u16 = 4401;
/// The close code for a console whose agent's departments or role changed: reconnect.
pub const CLOSE_SCOPE_CHANGED: u16 = 4409;
/// How often the server pings an idle console.
const PING_EVERY: Duration = Duration::from_secs(25);

pub fn router() -> Router<AppState> {
    Router::new().route("/ws", any(upgrade))
}

/// `?after=<seq>`: resume after the last seq the console applied.
#[derive(Deserialize)]
struct ResumeQuery {
    after: Option<String>,
}

/// The seq a console resumes after: none, or a whole number from 0; anything else is 422.
fn resume_after(
    query: Result<Query<ResumeQuery>, QueryRejection>,
) -> Result<Option<EventSeq>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::Invalid(e.body_text()))?;
    match number_param("after", query.after.as_deref())? {
        None => Ok(None),
        Some(seq) if seq >= 0 => Ok(Some(EventSeq(seq))),
        Some(seq) => Err(ApiError::Invalid(format!(
            "after must be a seq (a number from 0), not {seq}"
        ))),
    }
}

async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    actor: Result<CurrentActor, ApiError>,
    query: Result<Query<ResumeQuery>, QueryRejection>,
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
    let after = match resume_after(query) {
        Ok(after) => after,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(token) = session_token(&headers) else {
        return ApiError::Unauthorized("log in first").into_response();
    };
    let slot = match state.socket_slots.take(
        actor.agent.id,
        state.limits.ws_per_agent,
        state.limits.ws_total,
    ) {
        Ok(slot) => slot,
        Err(full) => return refusal(full, &state).into_response(),
    };
    let tracker = state.sockets.clone();
    ws.max_message_size(MAX_CLIENT_FRAME)
        .max_frame_size(MAX_CLIENT_FRAME)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .on_upgrade(move |socket| {
            tracker.track_future(async move {
                serve(socket, state, actor, token, after).await;
                drop(slot);
            })
        })
}

/// The answer to a console refused a place.
fn refusal(full: NoSlot, state: &AppState) -> ApiError {
    match full {
        NoSlot::AgentFull => ApiError::Limited {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "too_many_consoles",
            message: format!(
                "you have {} consoles open; close one first",
                state.limits.ws_per_agent
            ),
            retry_after: 5,
        },
        NoSlot::ServerFull => ApiError::Limited {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "busy",
            message: "the server holds as many consoles as it may; try again shortly".to_owned(),
            retry_after: 5,
        },
    }
}

type Sender = SplitSink<WebSocket, Message>;

async fn serve(
    socket: WebSocket,
    state: AppState,
    actor: Actor,
    token: String,
    after: Option<EventSeq>,
) {
    let agent_id = actor.agent.id;
    let scope = actor.scope.clone();
    // Subscribe before reading the log. Why no event can fall between the backlog and the live
    // frames: the tailer publishes an event only after it committed, so any event published
    // before this subscription was committed before the reads below and is in the backlog (or at
    // or before the hello's seq); any published later is buffered here. Seqs are in commit order,
    // so the backlog is a gapless run, and the tailer publishes in seq order; frames the backlog
    // already sent (seq <= last) are dropped below.
    let mut subscription = state.service.hub().subscribe(agent_id, actor.scope.clone());
    let (mut tx, mut rx) = socket.split();
    let start = match state.service.resume(&scope, after).await {
        Ok(start) => start,
        Err(error) => {
            tracing::error!(error = ?error, agent.id = %agent_id, "reading a console's backlog");
            let _ = tx
                .send(Message::Close(close_with(close_code::ERROR, "try again")))
                .await;
            return;
        }
    };
    let hello = ServerFrame::Hello {
        agent: actor.agent,
        seq: start.newest,
    };
    if send(&mut tx, hello.to_text()).await.is_break() {
        return;
    }
    if start.resync
        && send(&mut tx, ServerFrame::Resync.to_text())
            .await
            .is_break()
    {
        return;
    }
    for event in &start.backlog {
        if send(&mut tx, shared_text(event.frame.clone()))
            .await
            .is_break()
        {
            return;
        }
    }
    let mut last = start.last;
    tracing::debug!(agent.id = %agent_id, backlog = start.backlog.len(), resync = start.resync, "console connected");
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    let mut watching = state.session_watch.watch(&token, &scope);
    // Made once, not per turn of the loop: every console waits on the same token, and a fresh
    // `cancelled()` would register with (and leave) its shared waiter list on every frame.
    let shutdown = state.shutdown.cancelled();
    tokio::pin!(shutdown);
    let close = loop {
        // In this order, not at random: a shutdown or an ended session closes the socket even
        // while frames keep coming, and a turn that finds a frame stops polling there (the
        // console's own frames and the 25 s ping wait until the queue is empty).
        let step = tokio::select! {
            biased;
            () = &mut shutdown => ControlFlow::Break(close_with(close_code::AWAY, "server shutting down")),
            verdict = &mut watching.verdict => ControlFlow::Break(verdict.ok().and_then(close_for_verdict)),
            frame = subscription.events.recv() => match frame {
                Some(frame) => send_frames(&mut tx, frame, &mut subscription.events, &mut last).await,
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

/// The close frame for a console whose session ended (4401: log in again) or whose scope changed
/// (4409: reconnect to see what the agent may see now).
fn close_for_verdict(verdict: Verdict) -> Option<CloseFrame> {
    match verdict {
        Verdict::Ended => close_with(CLOSE_SESSION_ENDED, "session ended; log in again"),
        Verdict::ScopeChanged => {
            close_with(CLOSE_SCOPE_CHANGED, "your departments changed; reconnect")
        }
    }
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

/// A frame the hub shares between consoles, as the text of a message, without copying it.
fn shared_text(frame: Arc<str>) -> Utf8Bytes {
    Utf8Bytes::try_from(Bytes::from_owner(SharedFrame(frame))).expect("a str is valid UTF-8")
}

/// The bytes of a shared frame (what `Bytes::from_owner` needs).
struct SharedFrame(Arc<str>);

impl AsRef<[u8]> for SharedFrame {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// Writes `first` and the frames waiting behind it in the console's queue (up to
/// `FRAMES_PER_WRITE`) with one flush: one write to the socket for a burst, such as the events of
/// one transaction. Frames the backlog already sent (seq at or before `last`) are skipped; breaks
/// when the console is gone.
async fn send_frames(
    tx: &mut Sender,
    first: Frame,
    queue: &mut mpsc::Receiver<Frame>,
    last: &mut EventSeq,
) -> Close {
    let mut next = Some(first);
    let mut fed = 0;
    while let Some(frame) = next.take() {
        if frame.seq.is_none_or(|seq| seq > *last) {
            *last = frame.seq.unwrap_or(*last);
            if tx
                .feed(Message::Text(shared_text(frame.text)))
                .await
                .is_err()
            {
                return ControlFlow::Break(None);
            }
            fed += 1;
        }
        if fed < FRAMES_PER_WRITE {
            next = queue.try_recv().ok();
        }
    }
    if fed > 0 && tx.flush().await.is_err() {
        return ControlFlow::Break(None);
    }
    ControlFlow::Continue(())
}

/// Sends a text frame; breaks when the console is gone.
async fn send(tx: &mut Sender, text: impl Into<Utf8Bytes>) -> Close {
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
            ControlFlow::Continue(Some(error_frame(FrameRefusal::binary())))
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

/// The answer to a text frame from the console: a pong, or an error frame naming what is wrong.
fn answer(text: &str) -> ServerFrame {
    match ClientFrame::parse(text) {
        Ok(ClientFrame::Ping { id }) => ServerFrame::Pong { id },
        Err(refusal) => error_frame(refusal),
    }
}

fn error_frame(refusal: FrameRefusal) -> ServerFrame {
    ServerFrame::Error {
        error: refusal.code.to_owned(),
        message: refusal.message,
    }
}
