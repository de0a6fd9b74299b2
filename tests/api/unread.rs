//! Unread counts per agent and ticket (read markers that only move forward and survive logins),
//! needs reply (`awaiting_reply_since`), and the `typing` chat action sent to the customer.

use chrono::{DateTime, Utc};
use serde_json::json;
use switchboard::{
    domain::{Direction, MessageId, Role, TicketId},
    views::{MessageView, ReadView, TicketView},
};

use crate::support::{Backend, Reply, Session, WAIT, Ws, customer, spawn_app};

async fn mark_read(session: &Session, ticket: TicketId, message: MessageId) -> Reply {
    session
        .post(
            &format!("/api/tickets/{ticket}/read"),
            json!({"message_id": message}),
        )
        .await
}

async fn ticket(session: &Session, ticket: TicketId) -> TicketView {
    session.get_json(&format!("/api/tickets/{ticket}")).await
}

/// The ticket as the queue `status` lists it for `session`.
async fn listed(session: &Session, status: &str, number: TicketId) -> TicketView {
    let tickets: Vec<TicketView> = session
        .get_json(&format!("/api/tickets?status={status}"))
        .await;
    tickets
        .into_iter()
        .find(|t| t.id == number)
        .unwrap_or_else(|| panic!("ticket {number} is not in the {status} queue"))
}

async fn messages(session: &Session, ticket: TicketId) -> Vec<MessageView> {
    session
        .get_json(&format!("/api/tickets/{ticket}/messages"))
        .await
}

/// Waits on a console for the `message.created` of the customer's message `text`.
async fn customer_message(ws: &mut Ws, text: &str) -> MessageView {
    loop {
        let (_, message) = ws.expect_message_created().await;
        if message.direction == Direction::In && message.text == text {
            return message;
        }
    }
}

async fn unread_counts_customer_messages_after_each_agents_marker_and_survive_a_new_login(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let carol = app.agent("carol").await;
    app.add_department("Billing").await;
    app.add_agent("bob", Role::Agent, &["Billing"]).await;
    let bob = app.login("bob").await;
    let ann = customer(7101, "Ann");
    let number = app.customer_opens_ticket(&ann, "hello?").await;
    assert_eq!(listed(&alice, "pending", number).await.unread, Some(1));
    assert_eq!(listed(&carol, "pending", number).await.unread, Some(1));

    alice.accept(number).await.expect::<TicketView>(200);
    let mut ws = alice.ws().await;
    app.telegram.customer_says(&ann, "anyone there?");
    let second = customer_message(&mut ws, "anyone there?").await;
    app.telegram.customer_says(&ann, "my order is late");
    let third = customer_message(&mut ws, "my order is late").await;
    assert_eq!(listed(&alice, "accepted", number).await.unread, Some(3));
    let reply: MessageView = alice.reply(number, "Looking into it").await.expect(201);
    assert_eq!(
        listed(&alice, "open", number).await.unread,
        Some(3),
        "an agent's own reply is never unread"
    );

    let read: ReadView = mark_read(&alice, number, second.id).await.expect(200);
    assert_eq!((read.message_id, read.unread), (second.id, 1));
    let first = messages(&alice, number).await[0].id;
    let back: ReadView = mark_read(&alice, number, first).await.expect(200);
    assert_eq!(
        (back.message_id, back.unread),
        (second.id, 1),
        "a marker never moves back"
    );

    let again = app.login("alice").await;
    assert_eq!(ticket(&again, number).await.unread, Some(1));
    assert_eq!(listed(&again, "accepted", number).await.unread, Some(1));
    assert_eq!(
        ticket(&carol, number).await.unread,
        Some(3),
        "another agent's marker is their own"
    );

    let done: ReadView = mark_read(&again, number, reply.id).await.expect(200);
    assert_eq!((done.message_id, done.unread), (reply.id, 0));
    assert!(reply.id > third.id);
    assert_eq!(listed(&alice, "accepted", number).await.unread, Some(0));

    // Scope and bad ids.
    assert_eq!(mark_read(&bob, number, reply.id).await.status, 404);
    assert_eq!(
        mark_read(&alice, number, MessageId(999_999)).await.status,
        404
    );
    assert_eq!(
        mark_read(&alice, TicketId(999_999), reply.id).await.status,
        404
    );
    let ben = customer(7102, "Ben");
    let other = app.customer_opens_ticket(&ben, "hi").await;
    let foreign = messages(&alice, other).await[0].id;
    let refused = mark_read(&alice, number, foreign).await;
    assert_eq!(refused.status, 422, "{:?}", refused.body);
    assert_eq!(refused.error().error, "invalid");
    let bad = alice
        .post(
            &format!("/api/tickets/{number}/read"),
            json!({"message_id": "x"}),
        )
        .await;
    assert_eq!(bad.status, 400, "{:?}", bad.body);
    assert_eq!(ticket(&alice, number).await.unread, Some(0));
}

async fn a_ticket_needs_reply_from_the_first_unanswered_customer_message_until_an_agent_answers(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let billing = app.add_department("Billing").await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    let sam = app.login("sam").await;
    let ann = customer(7201, "Ann");
    let number = app.customer_opens_ticket(&ann, "first").await;
    let first = messages(&alice, number).await[0].clone();
    assert_eq!(first.direction, Direction::In);
    let waiting = |t: TicketView| t.awaiting_reply_since;
    assert_eq!(
        waiting(ticket(&alice, number).await),
        Some(first.created_at)
    );

    alice.accept(number).await.expect::<TicketView>(200);
    let mut ws = sam.ws().await;
    app.telegram.customer_says(&ann, "second");
    customer_message(&mut ws, "second").await;
    assert_eq!(
        waiting(ticket(&alice, number).await),
        Some(first.created_at),
        "a second customer message keeps the first one's time"
    );

    alice
        .reply(number, "On it")
        .await
        .expect::<MessageView>(201);
    assert_eq!(waiting(ticket(&alice, number).await), None);

    app.telegram.customer_says(&ann, "thanks, but...");
    let third = customer_message(&mut ws, "thanks, but...").await;
    let since: Option<DateTime<Utc>> = Some(third.created_at);
    assert_eq!(waiting(listed(&alice, "accepted", number).await), since);

    // A system notice to the customer (the reassign notice) is not an answer.
    let moved: TicketView = sam
        .post(
            &format!("/api/tickets/{number}/reassign"),
            json!({"department_id": billing}),
        )
        .await
        .expect(200);
    assert_eq!(moved.awaiting_reply_since, since);
    let live = ws.expect_ticket_updated().await;
    assert_eq!(live.awaiting_reply_since, since, "the live view carries it");
    app.telegram
        .wait_for_message_to(ann.chat(), "was passed to", WAIT)
        .await
        .expect("the customer was told");
    assert_eq!(waiting(ticket(&sam, number).await), since);
}

async fn typing_shows_the_customer_one_typing_action_per_five_seconds_and_only_for_the_owner(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let carol = app.agent("carol").await;
    app.add_department("Billing").await;
    app.add_agent("bob", Role::Agent, &["Billing"]).await;
    let bob = app.login("bob").await;
    let ann = customer(7301, "Ann");
    let number = app.customer_opens_ticket(&ann, "hello").await;
    let typing = |s: &Session| {
        let s = s.clone();
        async move {
            s.post(&format!("/api/tickets/{number}/typing"), json!({}))
                .await
        }
    };
    assert_eq!(typing(&alice).await.status, 403, "not accepted yet");
    alice.accept(number).await.expect::<TicketView>(200);
    assert_eq!(typing(&carol).await.status, 403, "not the owner");
    assert_eq!(typing(&bob).await.status, 404, "outside bob's departments");

    assert_eq!(typing(&alice).await.status, 204);
    assert_eq!(typing(&alice).await.status, 204);
    let call = app
        .telegram
        .wait_for_call(WAIT, |c| c.method == "sendchataction")
        .await
        .expect("Telegram was told the agent types");
    assert_eq!(call.body["chat_id"].as_i64(), Some(ann.chat().0));
    assert_eq!(call.body["action"].as_str(), Some("typing"));
    assert_eq!(
        app.telegram.calls("sendchataction").len(),
        1,
        "a second call within 5 s sends nothing"
    );
}

async fn the_fake_telegram_refuses_an_unknown_chat_action_like_the_real_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let ann = customer(7401, "Ann");
    app.customer_opens_ticket(&ann, "hello").await;
    let url = format!(
        "{}/bot{}/sendChatAction",
        app.telegram.api_url().as_str().trim_end_matches('/'),
        app.telegram.token()
    );
    let client = reqwest::Client::new();
    let send = |action: &'static str| {
        client
            .post(&url)
            .json(&json!({"chat_id": ann.chat().0, "action": action}))
            .send()
    };
    let refused: serde_json::Value = send("dancing").await.unwrap().json().await.unwrap();
    assert_eq!(refused["ok"], json!(false));
    assert_eq!(refused["error_code"], json!(400));
    let taken: serde_json::Value = send("typing").await.unwrap().json().await.unwrap();
    assert_eq!(taken, json!({"ok": true, "result": true}));
}

crate::backend_tests!(
    unread_counts_customer_messages_after_each_agents_marker_and_survive_a_new_login,
    a_ticket_needs_reply_from_the_first_unanswered_customer_message_until_an_agent_answers,
    typing_shows_the_customer_one_typing_action_per_five_seconds_and_only_for_the_owner,
    the_fake_telegram_refuses_an_unknown_chat_action_like_the_real_one,
);
