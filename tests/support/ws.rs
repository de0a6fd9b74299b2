//! A console's WebSocket, as a test reads it: events with a timeout, never a sleep.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{self, Message, client::IntoClientRequest},
};

use super::WAIT;

/// A connected console.
pub struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub hello: Value,
}

impl Ws {
    /// Upgrades with this Origin and cookie; the server's refusal comes back as the error.
    pub async fn connect(
        address: &str,
        origin: &str,
        cookie: Option<&str>,
    ) -> Result<Self, tungstenite::Error> {
        let url = format!("{}/ws", address.replacen("http://", "ws://", 1));
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
        let hello = next_json(&mut stream, WAIT).await.expect("a hello frame");
        assert_eq!(hello["type"], "hello");
        Ok(Self { stream, hello })
    }

    /// The next event, or None after `timeout`.
    pub async fn next_event_within(&mut self, timeout: Duration) -> Option<Value> {
        next_json(&mut self.stream, timeout).await
    }

    /// The next event of `kind` (skipping others); panics after the standard wait.
    pub async fn expect(&mut self, kind: &str) -> Value {
        self.expect_where(kind, |_| true).await
    }

    /// The next event of `kind` about message `id` (skipping others).
    pub async fn expect_message(&mut self, kind: &str, id: &Value) -> Value {
        self.expect_where(kind, |event| &event["message"]["id"] == id)
            .await
    }

    /// The next event of `kind` that `matches` (skipping others); panics after the standard wait.
    pub async fn expect_where(&mut self, kind: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_event_within(left).await {
                Some(event) if event["type"] == kind && matches(&event) => return event,
                Some(_) => {}
                None => panic!("no matching {kind} event within {WAIT:?}"),
            }
        }
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

async fn next_json(
    stream: &mut WebSocketStream<MaybeTlsStream<TcpStream>>,
    timeout: Duration,
) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let frame = tokio::time::timeout_at(deadline, stream.next())
            .await
            .ok()??
            .ok()?;
        match frame {
            Message::Text(text) => return serde_json::from_str(text.as_str()).ok(),
            Message::Close(_) => return None,
            _ => {}
        }
    }
}
