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

    // Each bad frame, sent raw on purpose, gets an error frame naming what is wrong; the ping
    // after it (numbered, so its pong cannot be an earlier one's) shows the stream goes on.
    let bad: &[(Message, &str, &str)] = &[
        (
            Message::text("this is not json"),
            "bad_json",
            "the frame is not JSON",
        ),
        (
            Message::text(r#"{"type":"accept","ticket":1}"#),
            "unknown_type",
            "unknown frame type \"accept\"",
        ),
        (
            Message::text(r#"{"id":1}"#),
            "bad_frame",
            "missing field `type`",
        ),
        (
            Message::text(r#"{"type":"ping","extra":1}"#),
            "bad_frame",
            "unknown field `extra`",
        ),
        (
            Message::text(r#"{"type":"ping","id":"one"}"#),
            "bad_frame",
            "invalid type: string \"one\"",
        ),
        (
            Message::text(r#"{"type":"ping","id":-5}"#),
            "bad_frame",
            "invalid value: integer `-5`",
        ),
        (
            Message::text(r#"{"type":7}"#),
            "bad_frame",
            "field `type` must be a string",
        ),
        (
            Message::binary(vec![1, 2, 3]),
            "binary_frame",
            "binary frames are not part of the protocol",
        ),
    ];
    for (number, (frame, code, names)) in (1u32..).zip(bad) {
        ws.send(frame.clone()).await;
        let (error, message) = expect_error(&mut ws).await;
        assert_eq!(error, *code, "{frame:?}: {message}");
        assert!(
            message.contains(names),
            "{frame:?}: {message:?} should say {names:?}"
        );
        ws.send(Message::text(format!(r#"{{"type":"ping","id":{number}}}"#)))
            .await;
        ws.expect("its pong", |frame| {
            (frame == ServerFrame::Pong { id: Some(number) }).then_some(())
        })
        .await;
    }
    ws.send(Message::text(r#"{"type":"ping"}"#)).await;
    ws.expect("pong", |frame| {
        (frame == ServerFrame::Pong { id: None }).then_some(())
    })
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
