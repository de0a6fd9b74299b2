//! Customers choose a department over Telegram: the question with one button per open department,
//! a press that moves the pending ticket (answered, the question edited, both departments' consoles
//! told), the `/start <slug>` deep link, and presses that must change nothing.

use serde_json::Value;
use switchboard::{
    domain::{ChangeKind, DepartmentId, Role, TicketId, TicketStatus},
    hub::{Event, Hub, ServerFrame},
    service::{OutboxSignal, Press, ROUTING_QUESTION, RouteOutcome, Service},
    simulator::{Customer, Failure},
    views::{ChangeView, MessageView, TicketView},
};

use crate::support::{Backend, Session, TestApp, WAIT, Ws, customer, spawn_app};

/// A ticket's timeline kinds, oldest first.
async fn timeline(agent: &Session, ticket: TicketId) -> Vec<ChangeView> {
    agent
        .get_json(&format!("/api/tickets/{ticket}/timeline"))
        .await
}

async fn ticket(agent: &Session, ticket: TicketId) -> TicketView {
    agent.get_json(&format!("/api/tickets/{ticket}")).await
}

/// The labels of a keyboard's buttons, in order.
fn labels(message: &Value) -> Vec<String> {
    message["reply_markup"]["inline_keyboard"]
        .as_array()
        .expect("an inline keyboard")
        .iter()
        .flat_map(|row| row.as_array().expect("a row of buttons").clone())
        .map(|b| b["text"].as_str().expect("a label").to_owned())
        .collect()
}

/// Waits for the routing question to `customer` and returns it as Telegram holds it.
async fn question_to(app: &TestApp, customer: &Customer) -> Value {
    let question = app
        .telegram
        .wait_for_keyboard_message(customer.chat(), WAIT)
        .await
        .expect("the customer was asked which team");
    assert_eq!(question["text"], ROUTING_QUESTION);
    question
}

async fn expect_removed(ws: &mut Ws) -> (TicketId, DepartmentId) {
    ws.expect("ticket.removed event", |frame| match frame {
        ServerFrame::Event(event) => match event.event {
            Event::TicketRemoved {
                ticket_id,
                department_id,
            } => Some((ticket_id, department_id)),
            _ => None,
        },
        _ => None,
    })
    .await
}

/// General (the default) and Billing open, Archive closed; alice works in General, bob in
/// Billing, sam supervises.
async fn three_departments(app: &TestApp) -> (DepartmentId, Session, Session, Session) {
    let billing = app.add_open_department("Billing", "billing").await;
    app.add_department("Archive").await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    app.add_agent("bob", Role::Agent, &["Billing"]).await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    (
        billing,
        app.login("alice").await,
        app.login("bob").await,
        app.login("sam").await,
    )
}

async fn a_press_on_a_department_button_moves_the_new_ticket_there(backend: Backend) {
    let app = spawn_app(backend).await;
    let (billing, alice, bob, sam) = three_departments(&app).await;
    let mut general_console = alice.ws().await;
    let mut billing_console = bob.ws().await;
    let ann = customer(501, "Ann");

    let number = app.customer_opens_ticket(&ann, "I was charged twice").await;
    let question = question_to(&app, &ann).await;
    assert_eq!(
        labels(&question),
        ["General", "Billing"],
        "one button per open department, in position order; none for the closed one"
    );
    let (_, created) = general_console.expect_ticket_created().await;
    assert_eq!(
        (created.id, created.status, created.department.name.as_str()),
        (number, TicketStatus::Pending, "General"),
        "the ticket opened at once, before the choice"
    );

    let query = app
        .telegram
        .customer_presses(&ann, "Billing")
        .expect("a Billing button");
    let answer = app
        .telegram
        .wait_for_callback_answer(&query, WAIT)
        .await
        .expect("the press was answered");
    assert_eq!(answer["text"], "Billing will answer you here.");

    let (moved, change) = billing_console.expect_change(ChangeKind::Routed).await;
    assert_eq!((moved.id, moved.department.id), (number, billing));
    assert_eq!(moved.status, TicketStatus::Pending);
    assert_eq!(change.by, None, "the customer routed it, not an agent");
    assert_eq!(
        change.from.department.map(|d| d.name).as_deref(),
        Some("General")
    );
    assert_eq!(change.to.department.map(|d| d.id), Some(billing));
    assert_eq!(
        expect_removed(&mut general_console).await,
        (number, billing)
    );

    let id = question["message_id"].as_i64().expect("a message id");
    let choice = format!("{ROUTING_QUESTION} — Billing");
    let edited = app
        .telegram
        .wait_for_bot_message(id, WAIT, |m| m["text"] == choice.as_str())
        .await
        .expect("the question was edited to show the choice");
    assert!(edited.get("reply_markup").is_none(), "the buttons are gone");

    assert_eq!(ticket(&bob, number).await.department.id, billing);
    assert_eq!(
        alice.get(&format!("/api/tickets/{number}")).await.status,
        404
    );
    let kinds: Vec<ChangeKind> = timeline(&sam, number)
        .await
        .into_iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(kinds, [ChangeKind::Created, ChangeKind::Routed]);

    // The question is in the conversation the agents see, like every message to the customer.
    let messages: Vec<MessageView> = bob
        .get_json(&format!("/api/tickets/{number}/messages"))
        .await;
    assert!(messages.iter().any(|m| m.text == ROUTING_QUESTION));
}

async fn a_deep_link_opens_the_ticket_in_its_department_without_asking(backend: Backend) {
    let app = spawn_app(backend).await;
    let (billing, _alice, bob, sam) = three_departments(&app).await;
    let mut billing_console = bob.ws().await;
    let ben = customer(502, "Ben");

    let number = app.customer_opens_ticket(&ben, "/start billing").await;
    let (_, created) = billing_console.expect_ticket_created().await;
    assert_eq!((created.id, created.department.id), (number, billing));
    let messages: Vec<MessageView> = bob
        .get_json(&format!("/api/tickets/{number}/messages"))
        .await;
    assert!(
        messages.iter().all(|m| m.text != ROUTING_QUESTION),
        "nobody asks a customer who chose: {messages:?}"
    );
    assert!(app.telegram.keyboard_message(ben.chat()).is_none());
    let changes = timeline(&sam, number).await;
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].kind, ChangeKind::Created);
    assert_eq!(
        changes[0].to.department.as_ref().map(|d| d.id),
        Some(billing)
    );

    // An unknown or closed slug falls back to the usual way: General, and the question.
    for (id, text) in [(503, "/start nowhere"), (504, "/start archive")] {
        let someone = customer(id, "Cy");
        let number = app.customer_opens_ticket(&someone, text).await;
        assert_eq!(ticket(&sam, number).await.department.name, "General");
        question_to(&app, &someone).await;
    }
}

async fn a_press_after_an_agent_accepted_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_billing, alice, _bob, sam) = three_departments(&app).await;
    let cleo = customer(505, "Cleo");
    let number = app.customer_opens_ticket(&cleo, "hello").await;
    question_to(&app, &cleo).await;
    assert_eq!(alice.accept(number).await.status, 200);

    let query = app
        .telegram
        .customer_presses(&cleo, "Billing")
        .expect("a Billing button");
    let answer = app
        .telegram
        .wait_for_callback_answer(&query, WAIT)
        .await
        .expect("the press was answered");
    assert_eq!(answer["text"], "Your request is already with an agent.");
    let now = ticket(&sam, number).await;
    assert_eq!(
        (
            now.status,
            now.department.name.as_str(),
            now.owner.map(|o| o.id)
        ),
        (TicketStatus::Accepted, "General", Some(alice.id()))
    );
    assert!(
        timeline(&sam, number)
            .await
            .iter()
            .all(|c| c.kind != ChangeKind::Routed)
    );
    assert!(app.telegram.calls("editMessageText").is_empty());
}

async fn with_one_open_department_nobody_is_asked(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_department("Billing").await; // closed to customers
    let alice = app.agent("alice").await;
    let dan = customer(506, "Dan");
    let number = app.customer_opens_ticket(&dan, "hi").await;
    let messages: Vec<MessageView> = alice
        .get_json(&format!("/api/tickets/{number}/messages"))
        .await;
    assert_eq!(
        messages.len(),
        2,
        "the message and the acknowledgement: {messages:?}"
    );
    assert!(app.telegram.keyboard_message(dan.chat()).is_none());
}

async fn malformed_or_foreign_button_data_is_answered_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let (billing, _alice, _bob, sam) = three_departments(&app).await;
    let eve = customer(507, "Eve");
    let number = app.customer_opens_ticket(&eve, "hi").await;
    let question = question_to(&app, &eve).await;
    let general = ticket(&sam, number).await.department.id;
    let mallory = customer(508, "Mallory");
    app.customer_opens_ticket(&mallory, "me too").await;

    let presses = [
        (&eve, "route:abc".to_owned()),
        (&eve, "x".repeat(64)),
        (&eve, format!("route:{number}:{general}:999999")),
        (&mallory, format!("route:{number}:{general}:{billing}")),
    ];
    for (who, data) in presses {
        let query = app.telegram.customer_presses_data(who, &question, &data);
        let answer = app
            .telegram
            .wait_for_callback_answer(&query, WAIT)
            .await
            .unwrap_or_else(|| panic!("the press {data:?} was answered"));
        assert_eq!(
            answer["text"], "Sorry, that choice is no longer available.",
            "{data:?}"
        );
    }
    let now = ticket(&sam, number).await;
    assert_eq!(now.department.id, general);
    assert_eq!(timeline(&sam, number).await.len(), 1);

    // The bot still serves: a good press goes through.
    let query = app
        .telegram
        .customer_presses(&eve, "Billing")
        .expect("a button");
    app.telegram
        .wait_for_callback_answer(&query, WAIT)
        .await
        .expect("answered");
    assert_eq!(ticket(&sam, number).await.department.id, billing);
}

async fn of_two_concurrent_presses_for_different_departments_exactly_one_wins(backend: Backend) {
    let app = spawn_app(backend).await;
    let (billing, _alice, _bob, sam) = three_departments(&app).await;
    let support = app.add_open_department("Support", "support").await;
    let db = app.db().await;
    let general = switchboard::store::departments::find_by_slug(&db, "general")
        .await
        .expect("reading departments")
        .expect("General")
        .id;
    let service = Service::new(
        db,
        Hub::new("racer".to_owned()),
        OutboxSignal::default(),
        general,
    );
    for round in 0..4_i64 {
        let who = customer(600 + round, "Racer");
        let number = app.customer_opens_ticket(&who, "which team?").await;
        let press = |department| Press {
            customer: who.id,
            ticket: number,
            from: general,
            department,
        };
        let (a, b) = tokio::join!(service.route(press(billing)), service.route(press(support)));
        let (a, b) = (a.expect("a press"), b.expect("a press"));
        let now = ticket(&sam, number).await;
        let label = if now.department.id == billing {
            "Billing"
        } else {
            "Support"
        };
        assert_ne!(now.department.id, general, "one press moved it");
        for outcome in [a, b] {
            assert_eq!(
                outcome,
                RouteOutcome::Routed {
                    label: label.to_owned()
                },
                "both customers hear where it went"
            );
        }
        let routed: Vec<ChangeView> = timeline(&sam, number)
            .await
            .into_iter()
            .filter(|c| c.kind == ChangeKind::Routed)
            .collect();
        assert_eq!(routed.len(), 1, "exactly one press routed it: {routed:?}");
    }
}

async fn telegram_refusing_the_answer_and_the_edit_loses_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let (billing, _alice, bob, _sam) = three_departments(&app).await;
    let mut billing_console = bob.ws().await;
    let fay = customer(509, "Fay");
    let number = app.customer_opens_ticket(&fay, "hi").await;
    question_to(&app, &fay).await;
    let too_old =
        "Bad Request: query is too old and response timeout expired or query ID is invalid";
    app.telegram.fail_next(
        "answerCallbackQuery",
        Failure::BadRequest(too_old.to_owned()),
    );
    app.telegram.fail_next(
        "editMessageText",
        Failure::BadRequest("Bad Request: message to edit not found".to_owned()),
    );
    app.telegram
        .customer_presses(&fay, "Billing")
        .expect("a button");
    let (moved, _) = billing_console.expect_change(ChangeKind::Routed).await;
    assert_eq!((moved.id, moved.department.id), (number, billing));
    app.telegram
        .wait_for_call(WAIT, |c| c.method == "editmessagetext")
        .await
        .expect("the bot tried to show the choice");

    // The bot goes on serving: the customer's next message joins the routed ticket.
    app.telegram.customer_says(&fay, "still there?");
    let (_, message) = billing_console.expect_message_created().await;
    assert_eq!(
        (message.ticket_id, message.text.as_str()),
        (number, "still there?")
    );
}

crate::backend_tests!(
    telegram_refusing_the_answer_and_the_edit_loses_nothing,
    a_press_on_a_department_button_moves_the_new_ticket_there,
    a_deep_link_opens_the_ticket_in_its_department_without_asking,
    a_press_after_an_agent_accepted_changes_nothing,
    with_one_open_department_nobody_is_asked,
    malformed_or_foreign_button_data_is_answered_and_changes_nothing,
    of_two_concurrent_presses_for_different_departments_exactly_one_wins,
);
