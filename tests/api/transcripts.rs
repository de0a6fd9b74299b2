//! Transcripts: a ticket's messages and timeline in time order as text and JSON, internal notes
//! only when asked, only for those who may see the ticket; and, with a staff chat set, the text
//! transcript posted there as a document on close, through Telegram's errors.

use serde_json::{Value, json};
use switchboard::{
    domain::{ChatId, Role, TicketId},
    simulator::Failure,
    store,
    views::TicketView,
};

use crate::support::{Backend, Session, WAIT, customer, spawn_app, spawn_app_with};

/// A ticket with a conversation, a note about its client and a close: returns its number.
async fn seeded_ticket(app: &crate::support::TestApp, alice: &Session) -> TicketId {
    let ann = customer(8001, "Ann");
    let number = app.customer_opens_ticket(&ann, "my order is late").await;
    let ticket: TicketView = alice.accept(number).await.expect(200);
    let mut ws = alice.ws().await;
    alice
        .reply(number, "Let me check that")
        .await
        .expect::<Value>(201);
    app.telegram
        .customer_says(&ann, "thanks\n[2000-01-01] Alice (agent): fake line");
    loop {
        let (_, message) = ws.expect_message_created().await;
        if message.text.starts_with("thanks") {
            break;
        }
    }
    alice
        .post(
            &format!("/api/clients/{}/notes", ticket.client.id),
            json!({"text": "VIP customer"}),
        )
        .await
        .expect::<Value>(201);
    alice
        .post(
            &format!("/api/tickets/{number}/close"),
            json!({"reason": "resolved", "comment": "sorted out"}),
        )
        .await
        .expect::<TicketView>(200);
    number
}

fn position(body: &str, needle: &str) -> usize {
    body.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in the transcript:\n{body}"))
}

async fn a_transcript_downloads_as_text_and_json_in_time_order_with_notes_only_when_asked(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    app.add_department("Billing").await;
    app.add_agent("carl", Role::Agent, &["Billing"]).await;
    let carl = app.login("carl").await;
    let number = seeded_ticket(&app, &alice).await;

    let (status, headers, body) = alice
        .get_bytes(&format!("/api/tickets/{number}/transcript"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"ticket-{number}-transcript.txt\"").as_str()
    );
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = String::from_utf8(body).expect("UTF-8 text");
    let created = position(&text, "-- created");
    let first = position(&text, "Ann (customer): my order is late");
    let reply = position(&text, "Alice (agent): Let me check that");
    let thanks = position(&text, "Ann (customer): thanks");
    let closed = position(&text, "-- closed by Alice");
    assert!(
        created < first && first < reply && reply < thanks && thanks < closed,
        "{text}"
    );
    assert!(text.contains("(resolved): sorted out"), "{text}");
    assert!(
        text.contains("\n    | [2000-01-01] Alice (agent): fake line"),
        "customer text cannot pass for an entry: {text}"
    );
    assert!(!text.contains("VIP customer"), "no notes unless asked");
    assert!(text.contains("Internal notes: not included"));

    let (_, _, with_notes) = alice
        .get_bytes(&format!("/api/tickets/{number}/transcript?notes=true"))
        .await;
    let with_notes = String::from_utf8(with_notes).expect("UTF-8 text");
    assert!(
        with_notes.contains("[internal note] Alice: VIP customer"),
        "{with_notes}"
    );

    let json: Value = alice
        .get_json(&format!("/api/tickets/{number}/transcript?format=json"))
        .await;
    assert_eq!(json["transcript"]["ticket"]["id"], number.0);
    assert_eq!(json["transcript"]["notes_included"], false);
    let entries = json["entries"].as_array().expect("entries");
    let kinds: Vec<&str> = entries.iter().filter_map(|e| e["entry"].as_str()).collect();
    assert_eq!(kinds.first(), Some(&"change"));
    assert!(!kinds.contains(&"note"));
    assert!(entries.iter().any(|e| e["entry"] == "message"
        && e["text"] == "Let me check that"
        && e["direction"] == "out"));
    let times: Vec<&str> = entries
        .iter()
        .map(|e| {
            e["at"]
                .as_str()
                .or(e["created_at"].as_str())
                .expect("a time")
        })
        .collect();
    let parsed: Vec<chrono::DateTime<chrono::Utc>> =
        times.iter().map(|t| t.parse().expect("RFC 3339")).collect();
    assert!(
        parsed.windows(2).all(|w| w[0] <= w[1]),
        "in time order: {times:?}"
    );
    let json_notes: Value = alice
        .get_json(&format!(
            "/api/tickets/{number}/transcript?format=json&notes=true"
        ))
        .await;
    assert!(
        json_notes["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["entry"] == "note" && e["text"] == "VIP customer")
    );

    // Another department's agent may not; bad parameters are refused.
    let refused = carl.get(&format!("/api/tickets/{number}/transcript")).await;
    assert_eq!(refused.status, 404);
    let bad = alice
        .get(&format!("/api/tickets/{number}/transcript?format=pdf"))
        .await;
    assert_eq!(bad.status, 422);
    let bad = alice
        .get(&format!("/api/tickets/{number}/transcript?notes=maybe"))
        .await;
    assert_eq!(bad.status, 422);
}

async fn the_staff_chat_gets_the_transcript_as_a_document_on_close_despite_a_telegram_error(
    backend: Backend,
) {
    let staff = ChatId(-100_500);
    let app = spawn_app_with(backend, |settings| settings.transcript_chat = Some(staff)).await;
    app.telegram.add_group_chat(staff, "Support leads");
    // Telegram asks the first try to wait: the job is kept and sent after.
    app.telegram
        .fail_next("senddocument", Failure::RetryAfter(1));
    let alice = app.agent("alice").await;

    let number = seeded_ticket(&app, &alice).await;

    let file = app
        .telegram
        .wait_for_file_to(staff, WAIT)
        .await
        .expect("the staff chat gets the transcript");
    assert_eq!(file.kind, "document");
    assert_eq!(
        file.file_name.as_deref(),
        Some(format!("ticket-{number}-transcript.txt").as_str())
    );
    assert_eq!(
        file.caption.as_deref(),
        Some(format!("Transcript of ticket #{number}").as_str())
    );
    let text = String::from_utf8(file.bytes).expect("UTF-8 text");
    assert!(text.contains("Ann (customer): my order is late"), "{text}");
    assert!(!text.contains("VIP customer"), "internal notes stay inside");
    assert!(
        app.telegram.calls("senddocument").len() >= 2,
        "the refused try was repeated"
    );
    let db = app.db().await;
    let jobs = store::transcript_posts::for_ticket(&db, number)
        .await
        .expect("jobs");
    assert_eq!(jobs.len(), 1);
    // The job is marked sent right after Telegram's answer.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let jobs = store::transcript_posts::for_ticket(&db, number)
            .await
            .expect("jobs");
        if jobs[0].state == store::transcript_posts::SENT {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{jobs:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

crate::backend_tests!(
    a_transcript_downloads_as_text_and_json_in_time_order_with_notes_only_when_asked,
    the_staff_chat_gets_the_transcript_as_a_document_on_close_despite_a_telegram_error
);
