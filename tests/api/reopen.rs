//! After a close: a customer who writes within the reopen window reopens the same ticket (Pending
//! in the same department, its last handler shown); after it, a new ticket opens, linked to the
//! earlier one. Concurrent messages after a close reopen it exactly once.

use std::time::Duration;

use chrono::Utc;
use futures_util::future::join_all;
use serde_json::json;
use switchboard::{
    domain::{
        ChangeKind, ChatId, DepartmentId, TelegramMessageId, TicketId, TicketStatus, UpdateId,
    },
    hub::Hub,
    service::{IncomingMessage, IngestOutcome, OutboxSignal, Service},
    simulator::Customer,
    store::{self, clients::TelegramProfile},
    views::{ChangeView, MessageView, NoteView, TicketView},
};

use crate::support::{
    Backend, Session, TestApp, WAIT, customer, spawn_app, spawn_app_with_reopen_window,
};

/// `agent` accepts and closes ticket `number`; waits until the customer was told.
async fn close(app: &TestApp, agent: &Session, who: &Customer, number: TicketId) {
    agent.accept(number).await.expect::<TicketView>(200);
    agent
        .post(
            &format!("/api/tickets/{number}/close"),
            json!({"reason": "resolved"}),
        )
        .await
        .expect::<TicketView>(200);
    app.telegram
        .wait_for_message_to(
            who.chat(),
            &format!("Your request #{number} is closed"),
            WAIT,
        )
        .await
        .expect("the customer is told of the close");
}

async fn timeline_kinds(session: &Session, ticket: TicketId) -> Vec<ChangeKind> {
    session
        .get_json::<Vec<ChangeView>>(&format!("/api/tickets/{ticket}/timeline"))
        .await
        .into_iter()
        .map(|c| c.kind)
        .collect()
}

async fn a_message_within_the_window_reopens_the_same_ticket_pending_in_its_department(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let bob = app.agent("bob").await;
    let ann = customer(9001, "Ann");
    let number = app.customer_opens_ticket(&ann, "my order is late").await;
    close(&app, &alice, &ann, number).await;
    let mut bob_ws = bob.ws().await;

    app.telegram.customer_says(&ann, "it is late again");

    let (ticket, change) = bob_ws.expect_change(ChangeKind::Reopened).await;
    assert_eq!(ticket.id, number, "the same ticket");
    assert_eq!(ticket.status, TicketStatus::Pending);
    assert_eq!(ticket.owner, None);
    assert_eq!(ticket.department.name, "General", "in the same department");
    assert_eq!(
        ticket.last_owner.as_ref().map(|a| a.id),
        Some(alice.id()),
        "who handled it last"
    );
    assert_eq!(ticket.previous_ticket_id, None);
    assert_eq!(change.from.agent.map(|a| a.id), Some(alice.id()));
    assert_eq!(
        change.to.department.map(|d| d.id),
        Some(ticket.department.id)
    );
    assert_eq!(change.by, None, "the customer reopened it");
    let (_, message) = bob_ws.expect_message_created().await;
    assert_eq!(message.ticket_id, number);
    assert_eq!(message.text, "it is late again");

    assert_eq!(
        timeline_kinds(&alice, number).await,
        [
            ChangeKind::Created,
            ChangeKind::Accepted,
            ChangeKind::Closed,
            ChangeKind::Reopened
        ]
    );
    let pending: Vec<TicketView> = bob.get_json("/api/tickets?status=pending").await;
    assert_eq!(pending.iter().map(|t| t.id).collect::<Vec<_>>(), [number]);
    let taken: TicketView = bob.accept(number).await.expect(200);
    assert_eq!(
        taken.owner.map(|o| o.id),
        Some(bob.id()),
        "it can be worked again"
    );
    let acks = app
        .telegram
        .sent_to(ann.chat())
        .iter()
        .filter(|t| t.contains("Your request is ticket #"))
        .count();
    assert_eq!(acks, 1, "no second acknowledgement: it is the same request");
}

async fn after_the_window_a_new_ticket_opens_linked_to_the_earlier_one_with_the_notes(
    backend: Backend,
) {
    let app = spawn_app_with_reopen_window(backend, Duration::ZERO).await;
    let alice = app.agent("alice").await;
    let ann = customer(9101, "Ann");
    let first = app.customer_opens_ticket(&ann, "first problem").await;
    let first_view: TicketView = alice.get_json(&format!("/api/tickets/{first}")).await;
    let client = first_view.client.id;
    alice
        .post(
            &format!("/api/clients/{client}/notes"),
            json!({"text": "prefers email"}),
        )
        .await
        .expect::<NoteView>(201);
    close(&app, &alice, &ann, first).await;
    let mut ws = alice.ws().await;

    app.telegram.customer_says(&ann, "a new problem");

    let (_, created) = ws.expect_ticket_created().await;
    assert_ne!(created.id, first, "a new ticket");
    assert_eq!(
        created.previous_ticket_id,
        Some(first),
        "linked to the earlier one"
    );
    assert_eq!(created.status, TicketStatus::Pending);
    assert_eq!(created.client.id, client);
    assert_eq!(
        created.client.notes_count, 1,
        "the client's notes come along"
    );
    let ack = app
        .telegram
        .wait_for_message_to(ann.chat(), &format!("ticket #{}", created.id), WAIT)
        .await;
    assert!(ack.is_some(), "the customer is told the new number");
    assert_eq!(
        timeline_kinds(&alice, created.id).await,
        [ChangeKind::Created]
    );
    let earlier: TicketView = alice.get_json(&format!("/api/tickets/{first}")).await;
    assert_eq!(
        earlier.status,
        TicketStatus::Closed,
        "the earlier one stays closed"
    );
    let notes: Vec<NoteView> = alice
        .get_json(&format!("/api/clients/{client}/notes"))
        .await;
    assert_eq!(notes.len(), 1);
    let theirs: Vec<TicketId> = alice
        .get_json::<Vec<TicketView>>(&format!("/api/tickets?client_id={client}"))
        .await
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(
        theirs,
        [created.id, first],
        "the client's tickets, newest first"
    );
}

async fn concurrent_messages_after_a_close_reopen_exactly_one_ticket(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(9201, "Ann");
    let number = app.customer_opens_ticket(&ann, "hello").await;
    close(&app, &alice, &ann, number).await;

    // Several instances of the service on the same database take messages of the customer at
    // the same moment (on PostgreSQL these transactions truly overlap).
    let general = Service::ensure_department(&app.db().await, "General")
        .await
        .expect("the default department");
    let mut services = Vec::new();
    for i in 0..6 {
        services.push(instance(&app, general, i).await);
    }
    let messages: Vec<IncomingMessage> = (0..6)
        .map(|i| incoming(&ann, 50_000 + i, &format!("again {i}")))
        .collect();
    let outcomes = join_all(services.iter().zip(&messages).map(|(s, m)| s.ingest(m))).await;

    let outcomes: Vec<IngestOutcome> = outcomes
        .into_iter()
        .map(|o| o.expect("every message is stored"))
        .collect();
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == IngestOutcome::Reopened(number))
            .count(),
        1,
        "exactly one reopens: {outcomes:?}"
    );
    assert!(
        outcomes.iter().all(
            |o| matches!(o, IngestOutcome::Reopened(n) | IngestOutcome::Appended(n) if *n == number)
        ),
        "the others join the same ticket: {outcomes:?}"
    );
    let open: Vec<TicketView> = alice.get_json("/api/tickets").await;
    assert_eq!(open.iter().map(|t| t.id).collect::<Vec<_>>(), [number]);
    let reopens = timeline_kinds(&alice, number)
        .await
        .into_iter()
        .filter(|k| *k == ChangeKind::Reopened)
        .count();
    assert_eq!(reopens, 1, "one reopen in the timeline");
    let texts: Vec<MessageView> = alice
        .get_json(&format!("/api/tickets/{number}/messages"))
        .await;
    let again = texts
        .iter()
        .filter(|m| m.text.starts_with("again "))
        .count();
    assert_eq!(again, 6, "every message is on the reopened ticket");
}

/// Another instance of the service on the app's database.
async fn instance(app: &TestApp, department: DepartmentId, i: usize) -> Service {
    let db = store::connect(&app.database_url)
        .await
        .expect("connecting another instance");
    Service::new(
        db,
        Hub::new(format!("other-{i}")),
        OutboxSignal::default(),
        department,
    )
}

/// A message of `who` as the Telegram front door hands it over.
fn incoming(who: &Customer, update: i64, text: &str) -> IncomingMessage {
    IncomingMessage {
        update_id: UpdateId(update),
        profile: TelegramProfile {
            telegram_id: who.id,
            username: who.username.clone(),
            name: who.first_name.clone(),
            // The profile the customer's earlier updates stored, so the client row is not
            // rewritten (which would serialize the transactions on its row lock).
            language: who.language.clone(),
        },
        chat_id: ChatId(who.id.0),
        message_id: TelegramMessageId(update),
        text: text.to_owned(),
        sent_at: Utc::now(),
        media: None,
        media_group_id: None,
        reply_to: None,
    }
}

crate::backend_tests!(
    a_message_within_the_window_reopens_the_same_ticket_pending_in_its_department,
    after_the_window_a_new_ticket_opens_linked_to_the_earlier_one_with_the_notes,
    concurrent_messages_after_a_close_reopen_exactly_one_ticket,
);
