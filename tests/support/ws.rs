//! A console's WebSocket, as a test reads it: typed frames (`switchboard::hub::ServerFrame`) with a
//! timeout, never a sleep. Raw frames stay available for the tests that send malformed ones.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use switchboard::{
    domain::{ChangeKind, EventSeq, MessageId},
    hub::{Event, Sequenced, ServerFrame},
    views::{AgentView, ChangeView, MessageView, TicketView},
};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{self, Message, client::IntoClientRequest},
};

use super::WAIT;

/// A connected console.
pub struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Who the server's hello says the console is logged in as.
    pub hello: AgentView,
    /// The log's newest seq as the hello says it.
    pub seq: EventSeq,
}

impl Ws {
    /// Upgrades with this Origin and cookie; the server's refusal comes back as the error.
    pub async fn connect(
        address: &str,
        origin: &str,
        cookie: Option<&str>,
    ) -> Result<Self, tungstenite::Error> {
        Self::connect_to(address, "/ws", origin, cookie).await
    }

    /// Upgrades at `path` (`/ws?after=..`) with this Origin and cookie.
    pub async fn connect_to(
        address: &str,
        path: &str,
        origin: &str,
        cookie: Option<&str>,
    ) -> Result<Self, tungstenite::Error> {
        let url = format!("{}{path}", address.replacen("http://", "ws://", 1));
        let mut request = url.into_client_request()?;
        request
            .headers_mut()
            .insert("Origin", origin.parse().expect("origin header"));
        if let Some(cookie) = cookie {
            request
                .headers_mut()
                .insert("Cookie", cookie.parse().expect("cookie header"));
        }
        let (mut stream, _) = connect_async(request).await?;
        let (hello, seq) = match next_server_frame(&mut stream, WAIT).await {
            Some(ServerFrame::Hello { agent, seq }) => (agent, seq),
            other => panic!("expected a hello frame, got {other:?}"),
        };
        Ok(Self { stream, hello, seq })
    }

    /// The next frame from the server, or None after `timeout`; panics on a frame that is not a
    /// `ServerFrame`.
    pub async fn next_frame_within(&mut self, timeout: Duration) -> Option<ServerFrame> {
        next_server_frame(&mut self.stream, timeout).await
    }

    /// The next frame that `pick` takes (skipping the others); panics after the standard wait,
    /// naming `what` it waited for.
    pub async fn expect<T>(
        &mut self,
        what: &str,
        mut pick: impl FnMut(ServerFrame) -> Option<T>,
    ) -> T {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_frame_within(left).await {
                Some(frame) => {
                    if let Some(found) = pick(frame) {
                        return found;
                    }
                }
                None => panic!("no {what} within {WAIT:?}"),
            }
        }
    }

    /// The next `ticket.created`, with its seq.
    pub async fn expect_ticket_created(&mut self) -> (EventSeq, TicketView) {
        self.expect("ticket.created event", |frame| match event_of(frame)? {
            Sequenced {
                seq,
                event: Event::TicketCreated { ticket },
            } => Some((seq, ticket)),
            _ => None,
        })
        .await
    }

    /// The next `ticket.updated`'s ticket.
    pub async fn expect_ticket_updated(&mut self) -> TicketView {
        self.expect("ticket.updated event", |frame| {
            match event_of(frame)?.event {
                Event::TicketUpdated { ticket, .. } => Some(ticket),
                _ => None,
            }
        })
        .await
    }

    /// The next `ticket.updated` whose change is of `kind`: the ticket and the change.
    pub async fn expect_change(&mut self, kind: ChangeKind) -> (TicketView, ChangeView) {
        self.expect(
            &format!("ticket.updated event ({kind:?})"),
            |frame| match event_of(frame)?.event {
                Event::TicketUpdated {
                    ticket,
                    change: Some(change),
                } if change.kind == kind => Some((ticket, *change)),
                _ => None,
            },
        )
        .await
    }

    /// The next `message.created`, with its seq.
    pub async fn expect_message_created(&mut self) -> (EventSeq, MessageView) {
        self.expect("message.created event", |frame| match event_of(frame)? {
            Sequenced {
                seq,
                event: Event::MessageCreated { message },
            } => Some((seq, message)),
            _ => None,
        })
        .await
    }

    /// The message of the next event of `kind` ("message.created" or "message.updated") about
    /// message `id` (skipping others).
    pub async fn expect_message(&mut self, kind: &str, id: MessageId) -> MessageView {
        self.expect(
            &format!("{kind} event about message {id}"),
            |frame| match event_of(frame)? {
                Sequenced { event, .. } if event.kind() == kind => {
                    message_of(event).filter(|message| message.id == id)
                }
                _ => None,
            },
        )
        .await
    }

    /// Sends a raw frame.
    pub async fn send(&mut self, message: Message) {
        self.stream.send(message).await.expect("sending a frame");
    }

    /// The next raw frame (including Close), or None at the end of the stream or after `timeout`.
    pub async fn next_frame(&mut self, timeout: Duration) -> Option<Message> {
        tokio::time::timeout(timeout, self.stream.next())
            .await
            .ok()
            .flatten()
            .and_then(Result::ok)
    }
}

/// The message an event is about, if it is about one.
fn message_of(event: Event) -> Option<MessageView> {
    match event {
        Event::MessageCreated { message } | Event::MessageUpdated { message } => Some(message),
        _ => None,
    }
}

async fn next_server_frame(
    stream: &mut WebSocketStream<MaybeTlsStream<TcpStream>>,
    timeout: Duration,
) -> Option<ServerFrame> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let frame = tokio::time::timeout_at(deadline, stream.next())
            .await
            .ok()??
            .ok()?;
        match frame {
            Message::Text(text) => {
                return Some(serde_json::from_str(text.as_str()).unwrap_or_else(|e| {
                    panic!("the server sent a frame that is not a ServerFrame: {e}\n{text}")
                }));
            }
            Message::Close(_) => return None,
            _ => {}
        }
    }
}

/// The event a frame carries, if it is one.
fn event_of(frame: ServerFrame) -> Option<Sequenced> {
    match frame {
        ServerFrame::Event(event) => Some(*event),
        _ => None,
    }
}
