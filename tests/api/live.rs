//! The live WebSocket: bad frames get clear answers and break nothing.

use std::time::Duration;

use switchboard::{domain::TelegramUserId, hub::ServerFrame};
use tokio_tungstenite::tungstenite::{Message, protocol::frame::coding::CloseCode};

use crate::support::{Backend, Ws, customer, spawn_app};

/// The next error frame's code and message.
async fn expect_error(ws: &mut Ws) -> (String, String) {
    ws.expect("error frame", |frame| match frame {
        ServerFrame::Error { error, message } => Some((error, message)),
        _ => None,
    })
    .await
}

async fn malformed_frames_get_an_error_event_and_the_stream_goes_on(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let mut ws = alice.ws().await;

    // Malformed frames are sent raw on purpose; the server's answers are read typed.
    ws.send(Message::text("this is not json")).await;
    let (error, message) = expect_error(&mut ws).await;
    assert_eq!(error, "bad_request");
    assert_eq!(message, "frames must be JSON");
    ws.send(Message::text(r#"{"type":"accept","ticket":1}"#))
        .await;
    assert_eq!(expect_error(&mut ws).await.0, "bad_request");
    ws.send(Message::text(r#"{"type":"ping"}"#)).await;
    ws.expect("pong", |frame| (frame == ServerFrame::Pong).then_some(()))
        .await;

    app.customer_opens_ticket(&customer(5001, "Ann"), "still live?")
        .await;
    assert_eq!(
        ws.expect_ticket_created().await.1.client.telegram_id,
        TelegramUserId(5001)
    );
}

async fn an_oversized_frame_closes_that_console_with_1009_and_no_other(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let mut big = alice.ws().await;
    let mut other = alice.ws().await;

    big.send(Message::text("x".repeat(100 * 1024))).await;

    let mut close = None;
    while let Some(frame) = big.next_frame(Duration::from_secs(5)).await {
        if let Message::Close(frame) = frame {
            close = frame;
            break;
        }
    }
    assert_eq!(
        close.map(|c| c.code),
        Some(CloseCode::Size),
        "closed with 1009 Message Too Big"
    );
    app.customer_opens_ticket(&customer(5002, "Ann"), "hello")
        .await;
    assert_eq!(
        other.expect_ticket_created().await.1.client.telegram_id,
        TelegramUserId(5002)
    );
}

crate::backend_tests!(
    malformed_frames_get_an_error_event_and_the_stream_goes_on,
    an_oversized_frame_closes_that_console_with_1009_and_no_other,
);
