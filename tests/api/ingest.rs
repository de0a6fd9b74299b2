//! A customer's message becomes a ticket, exactly once, and every console hears of it.

use switchboard::{
    domain::{Direction, EventSeq, TelegramUserId, TicketId, TicketStatus, UpdateId},
    simulator::Customer,
    views::{MessageView, Platform, TicketView},
};

use crate::support::{Backend, DbLock, Session, TestApp, WAIT, customer, spawn_app};

async fn a_first_message_opens_a_pending_ticket_that_every_online_console_receives(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let bob = app.agent("bob").await;
    let (mut alice_ws, mut bob_ws) = (alice.ws().await, bob.ws().await);
    let ann = Customer {
        last_name: Some("Smith".to_owned()),
        ..customer(424242, "Ann")
    };

    let number = app.customer_opens_ticket(&ann, "My parcel is late").await;

    for ws in [&mut alice_ws, &mut bob_ws] {
        let (created_seq, ticket) = ws.expect_ticket_created().await;
        assert!(created_seq > EventSeq(0), "{created_seq:?}");
        assert_eq!(ticket.number, number);
        assert_eq!(ticket.status, TicketStatus::Pending);
        assert_eq!(ticket.client.telegram_id, TelegramUserId(424242));
        assert_eq!(ticket.client.username.as_deref(), Some("ann"));
        assert_eq!(ticket.client.name, "Ann Smith");
        assert_eq!(ticket.department.name, "General");
        assert_eq!(ticket.platform, Platform::Telegram);
        assert_eq!(ticket.owner, None);
        let (message_seq, message) = ws.expect_message_created().await;
        assert_eq!(message.text, "My parcel is late");
        assert_eq!(message.direction, Direction::In);
        assert!(message_seq > created_seq);
    }
    let pending: Vec<TicketView> = alice.get_json("/api/tickets?status=pending").await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].number, number);
}

async fn later_messages_join_the_open_ticket_instead_of_opening_another(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(1001, "Ann");
    let number = app.customer_opens_ticket(&ann, "first").await;
    let mut ws = alice.ws().await;

    app.telegram.customer_says(&ann, "second");
    app.telegram.customer_says(&ann, "third");
    for text in ["second", "third"] {
        let (_, message) = ws.expect_message_created().await;
        assert_eq!(message.text, text);
        assert_eq!(message.ticket_id, number);
    }

    let open: Vec<TicketView> = alice.get_json("/api/tickets").await;
    assert_eq!(open.len(), 1, "{open:?}");
    let texts: Vec<String> = inbound_texts(&alice, number).await;
    assert_eq!(texts, ["first", "second", "third"]);
    assert_eq!(
        app.telegram.sent_to(ann.chat()).len(),
        1,
        "only one acknowledgement"
    );
}

async fn a_repeated_update_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(1002, "Ann");
    app.customer_opens_ticket(&ann, "hello").await;
    let update = serde_json::json!({
        "update_id": 1,
        "message": {"message_id": 1, "date": 1_700_000_000, "text": "hello",
            "chat": {"id": ann.id, "type": "private", "first_name": "Ann"},
            "from": {"id": ann.id, "is_bot": false, "first_name": "Ann"}},
    });
    let mut ws = alice.ws().await;

    app.telegram.redeliver(update);
    app.telegram.customer_says(&ann, "after the repeat");

    // The next event is the new message: the repeated update produced none.
    let (_, message) = ws.expect_message_created().await;
    assert_eq!(message.text, "after the repeat");
    let inbound = inbound_texts(&alice, TicketId(1)).await;
    assert_eq!(inbound.len(), 2, "{inbound:?}");
}

async fn a_server_stopped_between_arrival_and_commit_loses_nothing_after_restart(backend: Backend) {
    let mut app = spawn_app(backend.clone()).await;
    let ann = customer(1003, "Ann");
    // Hold the database so the server receives the update but cannot commit it.
    let lock = DbLock::take(&app.database_url).await;
    let update_id = app.telegram.customer_says(&ann, "please do not lose me");
    assert!(
        app.telegram.wait_handed_out(update_id, WAIT).await,
        "the bot fetched the update"
    );

    app.crash().await;
    lock.release().await;

    let db = app.db().await;
    assert_eq!(
        count(&db, "tickets").await,
        0,
        "the crashed server committed nothing"
    );
    assert!(
        app.telegram.confirmed_offset() <= update_id.0,
        "the update was never acknowledged to Telegram"
    );

    let restarted = TestApp::start(backend, app.database_url.clone(), app.telegram.clone()).await;
    let alice = restarted.agent("alice").await;
    let ack = restarted
        .telegram
        .wait_for_message_to(ann.chat(), "Your request is ticket #", WAIT)
        .await;
    assert!(ack.is_some(), "the restarted server ingested the update");
    let messages: Vec<MessageView> = alice.get_json("/api/tickets/1/messages").await;
    assert_eq!(messages[0].text, "please do not lose me");
    assert_eq!(count(&db, "tickets").await, 1);
    assert_eq!(count(&db, "telegram_updates").await, 1);
}

async fn many_customers_writing_at_once_each_get_one_ticket_with_their_messages_in_order(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let sam = {
        app.add_agent("sam", switchboard::domain::Role::Supervisor, &[])
            .await;
        app.login("sam").await
    };
    let customers: Vec<Customer> = (0..30)
        .map(|i| customer(8000 + i, &format!("C{i}")))
        .collect();
    let mut last = UpdateId(0);
    for round in 0..3 {
        for c in &customers {
            last = app
                .telegram
                .customer_says(c, &format!("{} message {round}", c.first_name));
        }
    }
    assert!(
        app.telegram.wait_confirmed(last, WAIT).await,
        "every update committed and confirmed"
    );

    let open: Vec<TicketView> = sam.get_json("/api/tickets").await;
    assert_eq!(open.len(), 30, "one ticket per customer");
    for ticket in open {
        let name = ticket.client.name;
        let texts = inbound_texts(&sam, ticket.id).await;
        let expected: Vec<String> = (0..3)
            .map(|round| format!("{name} message {round}"))
            .collect();
        assert_eq!(texts, expected);
    }
}

async fn a_message_with_characters_a_database_refuses_is_still_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let number = app
        .customer_opens_ticket(&customer(1004, "Ann"), "nul\u{0}inside")
        .await;
    let messages: Vec<MessageView> = alice
        .get_json(&format!("/api/tickets/{number}/messages"))
        .await;
    assert_eq!(messages[0].text, "nul\u{FFFD}inside");
}

async fn a_batch_of_updates_is_stored_as_if_they_came_one_by_one(backend: Backend) {
    let mut app = spawn_app(backend.clone()).await;
    app.add_open_department("Billing", "billing").await;
    let bob = customer(1011, "Bob");
    let bobs = app.customer_opens_ticket(&bob, "hello").await;
    let ann = customer(1010, "Ann");
    let cy = customer(1012, "Cy");
    // Queued while no server polls: the restarted server fetches them in one getUpdates batch.
    app.stop().await;
    let first = app.telegram.customer_says(&ann, "first");
    app.telegram.customer_says(&bob, "follow-up");
    app.telegram.customer_says(&ann, "second");
    let repeat = app.telegram.update_json(first).expect("the update");
    app.telegram.redeliver(repeat);
    app.telegram.customer_says(&cy, "/start");
    let last = app.telegram.customer_says(&cy, "a question");

    let restarted = TestApp::start(backend, app.database_url.clone(), app.telegram.clone()).await;
    assert!(
        restarted.telegram.wait_confirmed(last, WAIT).await,
        "every update committed and confirmed"
    );
    let sam = {
        restarted
            .add_agent("sam", switchboard::domain::Role::Supervisor, &[])
            .await;
        restarted.login("sam").await
    };
    let open: Vec<TicketView> = sam.get_json("/api/tickets").await;
    assert_eq!(
        open.len(),
        3,
        "one ticket each for Ann, Bob and Cy: {open:?}"
    );
    assert_eq!(inbound_texts(&sam, bobs).await, ["hello", "follow-up"]);
    let anns = open
        .iter()
        .find(|t| t.client.name == "Ann")
        .expect("Ann's ticket")
        .id;
    // In order: her message, the acknowledgement, the routing question, her second message.
    let messages: Vec<MessageView> = sam.get_json(&format!("/api/tickets/{anns}/messages")).await;
    let texts: Vec<&str> = messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts.len(), 4, "{texts:?}");
    assert_eq!((texts[0], texts[3]), ("first", "second"));
    assert!(texts[1].contains("Your request is ticket #"), "{texts:?}");
    assert!(
        restarted
            .telegram
            .wait_for_keyboard_message(ann.chat(), WAIT)
            .await
            .is_some(),
        "Ann was asked which team"
    );
    // Cy's /start was answered, and his question opened a ticket.
    let cys = open
        .iter()
        .find(|t| t.client.name == "Cy")
        .expect("Cy's ticket")
        .id;
    assert_eq!(inbound_texts(&sam, cys).await, ["a question"]);
    assert!(
        restarted
            .telegram
            .wait_for_message_to(cy.chat(), "Hello, Cy", WAIT)
            .await
            .is_some(),
        "Cy was greeted"
    );
    let db = restarted.db().await;
    assert_eq!(
        count(&db, "telegram_updates").await,
        6,
        "the repeat counted once"
    );
}

/// The texts of a ticket's inbound messages, in order.
async fn inbound_texts(agent: &Session, ticket: TicketId) -> Vec<String> {
    let messages: Vec<MessageView> = agent
        .get_json(&format!("/api/tickets/{ticket}/messages"))
        .await;
    messages
        .into_iter()
        .filter(|m| m.direction == Direction::In)
        .map(|m| m.text)
        .collect()
}

async fn count(db: &sea_orm::DatabaseConnection, table: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .expect("count query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}

crate::backend_tests!(
    a_first_message_opens_a_pending_ticket_that_every_online_console_receives,
    later_messages_join_the_open_ticket_instead_of_opening_another,
    a_repeated_update_changes_nothing,
    a_server_stopped_between_arrival_and_commit_loses_nothing_after_restart,
    many_customers_writing_at_once_each_get_one_ticket_with_their_messages_in_order,
    a_message_with_characters_a_database_refuses_is_still_stored,
    a_batch_of_updates_is_stored_as_if_they_came_one_by_one,
);
