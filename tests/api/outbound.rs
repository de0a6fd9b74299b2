//! Outbound from agents: files (sendPhoto, sendDocument) with the bytes and caption intact, size
//! limits, replies quoting a customer message, department signatures, literal text, and pacing
//! under Telegram's limits.

use std::time::Duration;

use serde_json::Value;
use switchboard::{
    domain::DeliveryState,
    limits::Limits,
    service::{DepartmentChanges, Service},
    views::{MessageView, TicketView},
};

use crate::support::{Backend, WAIT, customer, spawn_app, spawn_app_with_limits, test_limits};

/// A tiny PNG's first bytes (the signature is what counts) and some more.
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn a_photo_and_a_document_reach_the_customer_with_their_bytes_and_caption(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(3101, "Ann");
    let number = app.customer_opens_ticket(&ann, "Send me the invoice").await;
    alice.accept(number).await;

    let photo: MessageView = alice
        .upload(number, "shot.bin", PNG, Some("the screen"), None)
        .await
        .expect(201);
    assert_eq!(photo.delivery, Some(DeliveryState::Queued));
    let file = photo.out_file.expect("the message names its file");
    assert_eq!((file.kind.as_str(), file.size), ("photo", PNG.len() as i64));
    let sent = app
        .telegram
        .wait_for_file_to(ann.chat(), WAIT)
        .await
        .expect("the photo reaches Telegram");
    assert_eq!(sent.kind, "photo", "known by its bytes, not its name");
    assert_eq!(sent.bytes, PNG);
    assert_eq!(sent.caption.as_deref(), Some("the screen"));

    let pdf = b"%PDF-1.7\n\x00\x01\x02 binary \xff\xfe body".to_vec();
    // Listen before uploading: the delivery's event may come before a console opened after
    // the upload would have connected, and a fresh console is not sent earlier events.
    let mut ws = alice.ws().await;
    let document: MessageView = alice
        .upload(number, "../invoice.png", &pdf, None, None)
        .await
        .expect(201);
    let delivered = ws.expect_message("message.updated", document.id).await;
    assert_eq!(delivered.delivery, Some(DeliveryState::Sent));
    let files = app.telegram.sent_files();
    let sent = files.last().expect("the document reaches Telegram");
    assert_eq!(sent.kind, "document", "a .png name does not make a photo");
    assert_eq!(sent.bytes, pdf);
    assert_eq!(sent.file_name.as_deref(), Some("invoice.png"));
    assert_eq!(sent.caption, None);
}

async fn an_oversized_upload_is_refused_with_413_and_nothing_is_queued(backend: Backend) {
    let limits = Limits {
        upload_photo_max: 100,
        upload_document_max: 1000,
        ..test_limits()
    };
    let app = spawn_app_with_limits(backend, limits).await;
    let alice = app.agent("alice").await;
    let ann = customer(3102, "Ann");
    let number = app.customer_opens_ticket(&ann, "hi").await;
    alice.accept(number).await;

    let big_photo = [PNG, &[0u8; 200]].concat();
    let refused = alice.upload(number, "p.png", &big_photo, None, None).await;
    assert_eq!(refused.refusal(), (413, "payload_too_large".to_owned()));
    let big_file = vec![b'x'; 1001];
    let refused = alice.upload(number, "a.txt", &big_file, None, None).await;
    assert_eq!(refused.refusal(), (413, "payload_too_large".to_owned()));
    let messages: Vec<MessageView> = alice
        .get_json(&format!("/api/tickets/{number}/messages"))
        .await;
    assert!(
        messages.iter().all(|m| m.out_file.is_none()),
        "nothing was stored: {messages:?}"
    );
    let fitting = alice
        .upload(number, "a.txt", &big_file[..1000], None, None)
        .await;
    assert_eq!(fitting.status, 201);
}

async fn only_the_owner_may_send_a_file(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let bob = app.agent("bob").await;
    let ann = customer(3103, "Ann");
    let number = app.customer_opens_ticket(&ann, "hi").await;
    alice.accept(number).await;

    let refused = bob.upload(number, "a.txt", b"hello", None, None).await;
    assert_eq!(refused.refusal(), (403, "forbidden".to_owned()));
    let messages: Vec<MessageView> = alice
        .get_json(&format!("/api/tickets/{number}/messages"))
        .await;
    assert!(messages.iter().all(|m| m.out_file.is_none()));
    assert!(app.telegram.sent_files().is_empty());
}

async fn a_reply_to_a_customer_message_quotes_it_on_telegram(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(3104, "Ann");
    let bob = customer(3105, "Bob");
    let number = app.customer_opens_ticket(&ann, "Which size fits?").await;
    let other = app.customer_opens_ticket(&bob, "Elsewhere").await;
    alice.accept(number).await;
    alice.accept(other).await;
    let messages: Vec<MessageView> = alice
        .get_json(&format!("/api/tickets/{number}/messages"))
        .await;
    let question = messages.first().expect("the customer's message").id;
    let others: Vec<MessageView> = alice
        .get_json(&format!("/api/tickets/{other}/messages"))
        .await;
    let elsewhere = others.first().expect("the other customer's message").id;

    let wrong = alice
        .post(
            &format!("/api/tickets/{number}/messages"),
            serde_json::json!({"text": "M", "reply_to": elsewhere}),
        )
        .await;
    assert_eq!(wrong.refusal(), (422, "invalid".to_owned()));
    let mut ws = alice.ws().await;
    let reply: MessageView = alice
        .post(
            &format!("/api/tickets/{number}/messages"),
            serde_json::json!({"text": "Size M fits.", "reply_to": question}),
        )
        .await
        .expect(201);
    assert_eq!(reply.out_reply_to, Some(question));
    let call = app
        .telegram
        .wait_for_call(WAIT, |c| {
            c.method == "sendmessage" && c.body["text"] == "Size M fits."
        })
        .await
        .expect("the reply reaches Telegram");
    let quoted = call.body["reply_parameters"]["message_id"].as_i64();
    let delivered = ws.expect_message("message.updated", reply.id).await;
    assert_eq!(delivered.delivery, Some(DeliveryState::Sent));
    let sent = app
        .telegram
        .bot_messages()
        .into_iter()
        .find(|m| m["text"] == "Size M fits.")
        .expect("Telegram took the reply");
    assert_eq!(sent["reply_to_message"]["text"], "Which size fits?");
    assert_eq!(
        sent["reply_to_message"]["message_id"].as_i64(),
        quoted,
        "reply_parameters names the customer's Telegram message"
    );

    let file_wrong = alice
        .upload(number, "a.txt", b"x", None, Some(elsewhere.0))
        .await;
    assert_eq!(file_wrong.refusal(), (422, "invalid".to_owned()));
    let file: MessageView = alice
        .upload(number, "a.txt", b"chart", None, Some(question.0))
        .await
        .expect(201);
    assert_eq!(file.out_reply_to, Some(question));
    let sent = app
        .telegram
        .wait_for_file_to(ann.chat(), WAIT)
        .await
        .expect("the file reaches Telegram");
    assert_eq!(sent.reply_to, quoted);
}

async fn the_departments_signature_is_appended_to_agent_replies(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(3106, "Ann");
    let number = app.customer_opens_ticket(&ann, "hi").await;
    alice.accept(number).await;
    let ticket: TicketView = alice.get_json(&format!("/api/tickets/{number}")).await;
    let too_long = Service::edit_department(
        &app.db().await,
        ticket.department.id,
        DepartmentChanges {
            signature: Some("x".repeat(201)),
            ..DepartmentChanges::default()
        },
    )
    .await;
    assert!(too_long.is_err(), "a signature is bounded");
    Service::edit_department(
        &app.db().await,
        ticket.department.id,
        DepartmentChanges {
            signature: Some("— Acme support".to_owned()),
            ..DepartmentChanges::default()
        },
    )
    .await
    .expect("setting the signature");

    let reply: MessageView = alice.reply(number, "Done.").await.expect(201);

    assert_eq!(reply.text, "Done.\n\n— Acme support");
    let sent = app
        .telegram
        .wait_for_message_to(ann.chat(), "Done.", WAIT)
        .await;
    assert_eq!(sent.as_deref(), Some("Done.\n\n— Acme support"));
}

async fn agent_text_reaches_the_customer_literally_without_a_parse_mode(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(3107, "Ann");
    let number = app.customer_opens_ticket(&ann, "hi").await;
    alice.accept(number).await;
    let text = "*bold* _it_ <b>tag</b> [link](http://x) `code`";

    alice.reply(number, text).await.expect::<Value>(201);

    let call = app
        .telegram
        .wait_for_call(WAIT, |c| {
            c.method == "sendmessage" && c.body["text"] == text
        })
        .await
        .expect("the reply reaches Telegram as typed");
    assert!(call.body.get("parse_mode").is_none(), "{:?}", call.body);
    assert!(call.body.get("entities").is_none(), "{:?}", call.body);
}

async fn a_burst_of_200_messages_to_many_chats_gets_no_429_and_keeps_order_per_chat(
    backend: Backend,
) {
    let limits = Limits {
        address_burst: 1000,
        ..Limits::default()
    };
    let app = spawn_app_with_limits(backend, limits).await;
    app.telegram.enforce_rate_limits();
    let alice = app.agent("alice").await;
    let chats = 40;
    let per_chat = 5;
    let mut tickets = Vec::new();
    for n in 0..chats {
        let who = customer(3200 + n, &format!("C{n}"));
        let number = app.customer_opens_ticket(&who, "hello").await;
        alice.accept(number).await;
        tickets.push((who, number));
    }
    for round in 0..per_chat {
        for (_, number) in &tickets {
            alice
                .reply(*number, &format!("reply {round}"))
                .await
                .expect::<Value>(201);
        }
    }

    let last = format!("reply {}", per_chat - 1);
    for (who, _) in &tickets {
        let chat = who.chat().0;
        let sent = app
            .telegram
            .wait_for_sent(Duration::from_secs(60), |m| {
                m["chat"]["id"].as_i64() == Some(chat) && m["text"].as_str() == Some(last.as_str())
            })
            .await;
        assert!(sent.is_some(), "the burst reaches {}", who.first_name);
    }
    assert_eq!(
        app.telegram.rate_limited(),
        0,
        "no send went over the limits"
    );
    let sent = app.telegram.bot_messages();
    for (who, _) in &tickets {
        let replies: Vec<&str> = sent
            .iter()
            .filter(|m| m["chat"]["id"].as_i64() == Some(who.chat().0))
            .filter_map(|m| m["text"].as_str())
            .filter(|t| t.starts_with("reply "))
            .collect();
        let expected: Vec<String> = (0..per_chat).map(|n| format!("reply {n}")).collect();
        assert_eq!(replies, expected, "in order for {}", who.first_name);
    }
}

crate::backend_tests!(
    a_photo_and_a_document_reach_the_customer_with_their_bytes_and_caption,
    an_oversized_upload_is_refused_with_413_and_nothing_is_queued,
    only_the_owner_may_send_a_file,
    a_reply_to_a_customer_message_quotes_it_on_telegram,
    the_departments_signature_is_appended_to_agent_replies,
    agent_text_reaches_the_customer_literally_without_a_parse_mode,
    a_burst_of_200_messages_to_many_chats_gets_no_429_and_keeps_order_per_chat,
);
