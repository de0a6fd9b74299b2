//! Every inbound kind: a customer's photo, file, voice note, place or contact reaches the console
//! with its media, its file is downloadable through the console's route (from the fake Telegram),
//! edits show live and keep the earlier text, albums share their group, replies link the quoted
//! message.

use serde_json::{Value, json};
use switchboard::{
    domain::{MediaKind, Role, TicketId},
    simulator::samples,
    views::{MessageView, TicketView},
};

use crate::support::{Backend, Session, TestApp, customer, spawn_app};

/// One media message a customer can send: the fields it carries and what the console should see.
struct Kind {
    kind: MediaKind,
    fields: Value,
    bytes: Option<Vec<u8>>,
}

fn file_kinds(app: &TestApp) -> Vec<Kind> {
    let mut kinds = Vec::new();
    let mut file =
        |kind: MediaKind, folder: &str, ext: &str, bytes: Vec<u8>, field: &str, extra: Value| {
            let registered = app.telegram.register_file(folder, ext, bytes.clone());
            let body = if kind == MediaKind::Photo {
                json!([registered.with(extra)])
            } else {
                registered.with(extra)
            };
            // Telegram gives video notes and stickers no caption.
            let captioned = !matches!(kind, MediaKind::VideoNote | MediaKind::Sticker);
            let mut fields = if captioned {
                json!({ "caption": format!("a {field}") })
            } else {
                json!({})
            };
            fields[field] = body;
            kinds.push(Kind {
                kind,
                fields,
                bytes: Some(bytes),
            });
        };
    file(
        MediaKind::Photo,
        "photos",
        "png",
        samples::png(8, 6),
        "photo",
        json!({"width": 8, "height": 6}),
    );
    file(
        MediaKind::Document,
        "documents",
        "txt",
        samples::text_document("Invoice"),
        "document",
        json!({"file_name": "invoice.txt", "mime_type": "text/plain"}),
    );
    file(
        MediaKind::Voice,
        "voice",
        "wav",
        samples::wav(440.0, 100),
        "voice",
        json!({"duration": 1, "mime_type": "audio/wav"}),
    );
    file(
        MediaKind::Audio,
        "music",
        "wav",
        samples::wav(660.0, 100),
        "audio",
        json!({"duration": 1, "mime_type": "audio/wav", "title": "Song"}),
    );
    file(
        MediaKind::Video,
        "videos",
        "mp4",
        b"not really an mp4".to_vec(),
        "video",
        json!({"width": 2, "height": 2, "duration": 1, "mime_type": "video/mp4"}),
    );
    file(
        MediaKind::VideoNote,
        "video_notes",
        "mp4",
        b"round video".to_vec(),
        "video_note",
        json!({"length": 240, "duration": 2}),
    );
    file(
        MediaKind::Sticker,
        "stickers",
        "webp",
        b"RIFF....WEBP".to_vec(),
        "sticker",
        json!({"width": 512, "height": 512, "type": "regular", "is_animated": false, "is_video": false, "emoji": "👍"}),
    );
    file(
        MediaKind::Animation,
        "animations",
        "mp4",
        b"gif as mp4".to_vec(),
        "animation",
        json!({"width": 4, "height": 4, "duration": 1, "mime_type": "video/mp4"}),
    );
    kinds
}

/// The file of message `id` as the route serves it to `agent`: status, Content-Type, body.
async fn file_of(agent: &Session, id: impl std::fmt::Display) -> (u16, String, Vec<u8>) {
    let (status, headers, bytes) = agent.get_bytes(&format!("/api/messages/{id}/file")).await;
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status.as_u16(), content_type, bytes)
}

async fn each_inbound_kind_reaches_the_console_and_its_file_downloads(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(5001, "Ann");
    app.customer_opens_ticket(&ann, "hello").await;
    let mut ws = alice.ws().await;

    for kind in file_kinds(&app) {
        app.telegram.customer_sends(&ann, kind.fields.clone());
        let (_, message) = ws.expect_message_created().await;
        let media = message
            .media
            .clone()
            .expect("the message carries its media");
        assert_eq!(media.kind, Some(kind.kind), "{message:?}");
        assert!(
            media.file_id.is_some() && media.file_unique_id.is_some(),
            "{media:?}"
        );
        let caption = kind.fields["caption"].as_str().unwrap_or_default();
        assert_eq!(
            message.text, caption,
            "the caption is the text: {message:?}"
        );
        let (status, content_type, bytes) = file_of(&alice, message.id).await;
        assert_eq!(
            status,
            200,
            "{:?}: {}",
            kind.kind,
            String::from_utf8_lossy(&bytes)
        );
        assert_eq!(Some(bytes), kind.bytes, "{:?}", kind.kind);
        assert_ne!(content_type, "text/html");
    }

    let places = [
        (
            MediaKind::Location,
            json!({"location": {"latitude": 48.8584, "longitude": 2.2945}}),
        ),
        (
            MediaKind::Venue,
            json!({
                "location": {"latitude": 48.8584, "longitude": 2.2945},
                "venue": {"location": {"latitude": 48.8584, "longitude": 2.2945}, "title": "Eiffel Tower", "address": "Champ de Mars"},
            }),
        ),
        (
            MediaKind::Contact,
            json!({"contact": {"phone_number": "+33123456", "first_name": "Jean", "last_name": "Dupont"}}),
        ),
    ];
    for (kind, fields) in places {
        app.telegram.customer_sends(&ann, fields);
        let (_, message) = ws.expect_message_created().await;
        let media = message
            .media
            .clone()
            .expect("the message carries its media");
        assert_eq!(media.kind, Some(kind));
        match kind {
            MediaKind::Contact => {
                assert_eq!(media.contact_name.as_deref(), Some("Jean Dupont"));
                assert_eq!(media.phone_number.as_deref(), Some("+33123456"));
            }
            _ => assert_eq!(
                (media.latitude, media.longitude),
                (Some(48.8584), Some(2.2945))
            ),
        }
        if kind == MediaKind::Venue {
            assert_eq!(media.title.as_deref(), Some("Eiffel Tower"));
            assert_eq!(media.address.as_deref(), Some("Champ de Mars"));
        }
        let (status, _, _) = file_of(&alice, message.id).await;
        assert_eq!(status, 404, "a {kind:?} has no file");
    }
}

async fn a_photo_is_served_inline_and_a_risky_document_as_an_octet_stream_attachment(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(5002, "Ann");
    app.customer_opens_ticket(&ann, "hello").await;
    let mut ws = alice.ws().await;
    let png = samples::png(4, 4);
    let photo = app.telegram.register_file("photos", "png", png.clone());
    app.telegram.customer_sends(
        &ann,
        json!({"photo": [photo.with(json!({"width": 4, "height": 4}))]}),
    );
    let (_, message) = ws.expect_message_created().await;
    let (status, headers, bytes) = alice
        .get_bytes(&format!("/api/messages/{}/file", message.id))
        .await;
    assert_eq!((status.as_u16(), bytes), (200, png));
    assert_eq!(
        headers["content-type"], "image/jpeg",
        "a photo without a MIME type is a JPEG"
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");

    let page = b"<html><script>alert(1)</script></html>".to_vec();
    let html = app
        .telegram
        .register_file("documents", "html", page.clone());
    app.telegram.customer_sends(
        &ann,
        json!({"document": html.with(json!({"file_name": "x.html", "mime_type": "text/html"}))}),
    );
    let (_, message) = ws.expect_message_created().await;
    let (status, headers, bytes) = alice
        .get_bytes(&format!("/api/messages/{}/file", message.id))
        .await;
    assert_eq!((status.as_u16(), bytes), (200, page));
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");

    // The second fetch comes from the disk cache: Telegram is asked once per file.
    let before = app.telegram.calls("getFile").len();
    let (status, _, _) = alice
        .get_bytes(&format!("/api/messages/{}/file", message.id))
        .await;
    assert_eq!(status.as_u16(), 200);
    assert_eq!(app.telegram.calls("getFile").len(), before);
}

async fn a_file_past_telegrams_20_mb_limit_is_refused_clearly_without_asking_telegram(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(5003, "Ann");
    app.customer_opens_ticket(&ann, "hello").await;
    let mut ws = alice.ws().await;
    let big = app
        .telegram
        .register_file_of_size("videos", "mp4", 21 * 1024 * 1024);
    app.telegram.customer_sends(
        &ann,
        json!({"video": big.with(json!({"width": 1920, "height": 1080, "duration": 60, "mime_type": "video/mp4"}))}),
    );
    let (_, message) = ws.expect_message_created().await;
    let reply = alice
        .get(&format!("/api/messages/{}/file", message.id))
        .await;
    let error = reply.error();
    assert_eq!(
        (reply.status.as_u16(), error.error.as_str()),
        (422, "file_too_large")
    );
    assert!(error.message.contains("20 MB"), "{}", error.message);
    assert!(error.message.contains("21.0 MB"), "{}", error.message);
    assert!(
        app.telegram.calls("getFile").is_empty(),
        "Telegram was not asked for a file it would refuse"
    );
}

async fn an_agent_of_another_department_cannot_fetch_the_file(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_department("Billing").await;
    app.add_agent("olga", Role::Agent, &["Billing"]).await;
    let olga = app.login("olga").await;
    let alice = app.agent("alice").await;
    let ann = customer(5004, "Ann");
    app.customer_opens_ticket(&ann, "hello").await;
    let mut ws = alice.ws().await;
    let doc = app
        .telegram
        .register_file("documents", "txt", samples::text_document("Secret"));
    app.telegram.customer_sends(
        &ann,
        json!({"document": doc.with(json!({"file_name": "s.txt"}))}),
    );
    let (_, message) = ws.expect_message_created().await;

    let refused = olga
        .get(&format!("/api/messages/{}/file", message.id))
        .await;
    assert_eq!(refused.refusal(), (404, "not_found".to_owned()));
    let (status, _, bytes) = file_of(&alice, message.id).await;
    assert_eq!((status, bytes), (200, samples::text_document("Secret")));
    let stranger = reqwest::get(format!("{}/api/messages/{}/file", app.address, message.id))
        .await
        .expect("a request");
    assert_eq!(stranger.status().as_u16(), 401, "a session is needed");
}

async fn an_edit_updates_the_message_live_and_keeps_the_earlier_text(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(5005, "Ann");
    let number = app.customer_opens_ticket(&ann, "hello").await;
    let mut ws = alice.ws().await;
    let sent = app
        .telegram
        .customer_sends(&ann, json!({"text": "my order is 123"}));
    let (_, original) = ws.expect_message_created().await;
    assert_eq!(original.edited_at, None);

    app.telegram
        .customer_edits(&ann, sent.message_id, "my order is 124", false);
    let edited = ws.expect_message("message.updated", original.id).await;
    assert_eq!(edited.text, "my order is 124");
    assert!(edited.edited_at.is_some(), "{edited:?}");
    let earlier: Vec<&str> = edited
        .earlier_texts
        .iter()
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(earlier, ["my order is 123"]);

    app.telegram
        .customer_edits(&ann, sent.message_id, "my order is 125", false);
    let edited = ws.expect_message("message.updated", original.id).await;
    let earlier: Vec<&str> = edited
        .earlier_texts
        .iter()
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(earlier, ["my order is 123", "my order is 124"]);

    let stored = messages_of(&alice, number).await;
    let stored = stored
        .iter()
        .find(|m| m.id == original.id)
        .expect("the message");
    assert_eq!(stored.text, "my order is 125");
    assert_eq!(stored.earlier_texts.len(), 2);
    assert_eq!(
        stored.id, original.id,
        "an edit changes the message, it adds none"
    );
    assert_eq!(
        messages_of(&alice, number).await.len(),
        3,
        "hello, the ack, the edited message"
    );
}

async fn an_edit_fetched_with_its_message_in_one_batch_still_applies(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(5009, "Ann");
    let number = app.customer_opens_ticket(&ann, "hello").await;
    let mut ws = alice.ws().await;
    let sent = app.telegram.customer_sends(&ann, json!({"text": "tpyo"}));
    app.telegram
        .customer_edits(&ann, sent.message_id, "typo", false);
    let (_, created) = ws.expect_message_created().await;
    let edited = ws.expect_message("message.updated", created.id).await;
    assert_eq!(edited.text, "typo");
    let stored = messages_of(&alice, number).await;
    assert_eq!(stored.last().map(|m| m.text.as_str()), Some("typo"));
}

async fn an_albums_messages_share_their_group_id(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(5006, "Ann");
    app.customer_opens_ticket(&ann, "hello").await;
    let mut ws = alice.ws().await;
    for n in 0..3 {
        let photo = app
            .telegram
            .register_file("photos", "png", samples::png(2 + n, 2));
        let mut fields = json!({"photo": [photo.with(json!({"width": 2 + n, "height": 2}))], "media_group_id": "13579"});
        if n == 0 {
            fields["caption"] = json!("three pictures");
        }
        app.telegram.customer_sends(&ann, fields);
    }
    let mut groups = Vec::new();
    for _ in 0..3 {
        let (_, message) = ws.expect_message_created().await;
        assert_eq!(
            message.media.as_ref().and_then(|m| m.kind),
            Some(MediaKind::Photo)
        );
        groups.push(message.media_group_id);
    }
    assert_eq!(groups, vec![Some("13579".to_owned()); 3]);
}

async fn a_reply_links_to_the_quoted_message(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(5007, "Ann");
    let number = app.customer_opens_ticket(&ann, "hello").await;
    let mut ws = alice.ws().await;
    let first = app
        .telegram
        .customer_sends(&ann, json!({"text": "the blue one"}));
    let (_, quoted) = ws.expect_message_created().await;
    let quoted_json = app
        .telegram
        .update_json(first.update_id)
        .expect("the update")["message"]
        .clone();
    app.telegram.customer_sends(
        &ann,
        json!({"text": "actually, not that one", "reply_to_message": quoted_json}),
    );
    let (_, reply) = ws.expect_message_created().await;
    let link = reply
        .reply_to
        .clone()
        .expect("the reply links the quoted message");
    assert_eq!(link.id, quoted.id);
    assert_eq!(link.text, "the blue one");
    assert_eq!(link.author_name, "Ann");
    let stored = messages_of(&alice, number).await;
    let stored = stored.iter().find(|m| m.id == reply.id).expect("the reply");
    assert_eq!(stored.reply_to.as_ref().map(|q| q.id), Some(quoted.id));
}

async fn a_media_only_first_message_opens_a_ticket(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let mut ws = alice.ws().await;
    let ann = customer(5008, "Ann");
    let photo = app
        .telegram
        .register_file("photos", "png", samples::png(3, 3));
    app.telegram.customer_sends(
        &ann,
        json!({"photo": [photo.with(json!({"width": 3, "height": 3}))]}),
    );
    let (_, ticket) = ws.expect_ticket_created().await;
    let (_, message) = ws.expect_message_created().await;
    assert_eq!(message.ticket_id, ticket.id);
    assert_eq!(message.text, "");
    assert_eq!(message.media.and_then(|m| m.kind), Some(MediaKind::Photo));
    app.telegram
        .wait_for_message_to(ann.chat(), "Your request is ticket #", crate::support::WAIT)
        .await
        .expect("the customer got an acknowledgement");
    let pending: Vec<TicketView> = alice.get_json("/api/tickets?status=pending").await;
    assert_eq!(pending.len(), 1);
}

async fn messages_of(agent: &Session, ticket: TicketId) -> Vec<MessageView> {
    agent
        .get_json(&format!("/api/tickets/{ticket}/messages"))
        .await
}

crate::backend_tests!(
    each_inbound_kind_reaches_the_console_and_its_file_downloads,
    a_photo_is_served_inline_and_a_risky_document_as_an_octet_stream_attachment,
    a_file_past_telegrams_20_mb_limit_is_refused_clearly_without_asking_telegram,
    an_agent_of_another_department_cannot_fetch_the_file,
    an_edit_updates_the_message_live_and_keeps_the_earlier_text,
    an_edit_fetched_with_its_message_in_one_batch_still_applies,
    an_albums_messages_share_their_group_id,
    a_reply_links_to_the_quoted_message,
    a_media_only_first_message_opens_a_ticket,
);
