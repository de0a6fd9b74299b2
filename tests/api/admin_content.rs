//! Administration of what the bot and the queues use: departments archived (no new tickets,
//! history kept), a department's greeting sent through the fake Telegram, bot texts overridden
//! from the database, and the audit trail paged newest first (canned responses included).

use reqwest::Method;
use serde_json::{Value, json};
use switchboard::{
    domain::Role,
    views::{AuditView, BotTextView, DepartmentView, TicketView},
};

use crate::{
    administration::{audit, general_id, patch},
    support::{Backend, WAIT, customer, spawn_app},
};

async fn an_archived_department_takes_no_new_ticket_and_keeps_its_history(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.admin("ada").await;
    let billing = app.add_open_department("Billing", "billing").await;
    app.add_open_department("Sales", "sales").await;
    app.add_agent("bill", Role::Agent, &["Billing"]).await;
    let bill = app.login("bill").await;

    // A ticket in Billing before the archive stays there.
    let ann = customer(7001, "Ann");
    app.telegram.customer_says(&ann, "/start billing");
    app.telegram
        .wait_for_message_to(ann.chat(), "Your request is ticket #", WAIT)
        .await
        .expect("Ann's ticket opened");
    let before: Vec<TicketView> = bill.get_json("/api/tickets").await;
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].department.id, billing);

    let archived: DepartmentView = patch(
        &ada,
        &format!("/api/departments/{billing}"),
        json!({"archived": true}),
    )
    .await
    .expect(200);
    assert!(archived.archived);

    // A deep link to it opens the ticket in the default department, and the question of which
    // team no longer offers it.
    let bob = customer(7002, "Bob");
    app.telegram.customer_says(&bob, "/start billing");
    let keyboard = app
        .telegram
        .wait_for_keyboard_message(bob.chat(), WAIT)
        .await
        .expect("Bob is asked which team");
    let labels = keyboard.to_string();
    assert!(
        labels.contains("Sales") && !labels.contains("Billing"),
        "{labels}"
    );
    let agents_view: Vec<TicketView> = ada.get_json("/api/tickets").await;
    let bobs = agents_view
        .iter()
        .find(|t| t.client.name == "Bob")
        .expect("Bob's ticket");
    assert_ne!(bobs.department.id, billing);

    // Nobody passes a ticket into it.
    let passed = ada
        .post(
            &format!("/api/tickets/{}/reassign", bobs.id),
            json!({"department_id": billing}),
        )
        .await;
    assert_eq!(passed.refusal(), (409, "conflict".to_owned()));

    // Its history stays.
    let after: Vec<TicketView> = bill.get_json("/api/tickets").await;
    assert_eq!(after.len(), 1);

    // The default department cannot be archived.
    let default = patch(
        &ada,
        &format!("/api/departments/{}", bobs.department.id),
        json!({"archived": true}),
    )
    .await;
    assert_eq!(default.refusal().0, 409);

    let row = &audit(&ada).await[0];
    assert_eq!(row.action, "department.archived");
    assert_eq!(row.details["archived"], json!({"from": false, "to": true}));
    patch(
        &ada,
        &format!("/api/departments/{billing}"),
        json!({"archived": false}),
    )
    .await
    .expect::<DepartmentView>(200);
    assert_eq!(audit(&ada).await[0].action, "department.unarchived");
}

async fn a_departments_greeting_is_sent_to_customers_whose_ticket_lands_there(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.admin("ada").await;
    let billing = app.add_open_department("Billing", "billing").await;
    let set: DepartmentView = patch(
        &ada,
        &format!("/api/departments/{billing}"),
        json!({"greeting": "Billing here: have your invoice number ready.", "alert": "silent"}),
    )
    .await
    .expect(200);
    assert_eq!(set.alert, "silent");
    assert_eq!(
        set.greeting.as_deref(),
        Some("Billing here: have your invoice number ready.")
    );

    // Straight in by a deep link.
    let ann = customer(7101, "Ann");
    app.telegram.customer_says(&ann, "/start billing");
    app.telegram
        .wait_for_message_to(ann.chat(), "have your invoice number ready", WAIT)
        .await
        .expect("Ann got Billing's greeting");

    // Routed there by a button.
    let bob = customer(7102, "Bob");
    app.telegram.customer_says(&bob, "hello");
    app.telegram
        .wait_for_keyboard_message(bob.chat(), WAIT)
        .await
        .expect("Bob is asked which team");
    app.telegram
        .customer_presses(&bob, "Billing")
        .expect("a Billing button");
    app.telegram
        .wait_for_message_to(bob.chat(), "have your invoice number ready", WAIT)
        .await
        .expect("Bob got Billing's greeting");

    for bad in [
        json!({"alert": "loud"}),
        json!({"greeting": "x".repeat(4097)}),
    ] {
        let reply = patch(&ada, &format!("/api/departments/{billing}"), bad.clone()).await;
        assert_eq!(reply.refusal().0, 422, "{bad}");
    }
}

async fn an_overridden_bot_text_is_used_at_once_and_a_reset_brings_the_default_back(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let ada = app.admin("ada").await;
    let reply = ada
        .request(
            Method::PUT,
            "/api/admin/bot-texts/en/acknowledgement",
            Some(json!({"template": "Got it! Ticket no. {number} is in the queue."})),
        )
        .await;
    assert_eq!(reply.status.as_u16(), 204, "{}", reply.body);
    let ann = customer(7201, "Ann");
    app.telegram.customer_says(&ann, "hello");
    app.telegram
        .wait_for_message_to(ann.chat(), "Got it! Ticket no.", WAIT)
        .await
        .expect("the override is used");

    let texts: Vec<BotTextView> = ada.get_json("/api/admin/bot-texts").await;
    let ack = texts
        .iter()
        .find(|t| t.language == "en" && t.key == "acknowledgement")
        .expect("the acknowledgement is listed");
    assert!(ack.overridden);
    assert!(ack.default.contains("Your request is ticket #{number}"));
    assert_eq!(ack.placeholders, ["number"]);

    for (path, template) in [
        ("/api/admin/bot-texts/en/acknowledgement", "Ticket {nmber}"),
        ("/api/admin/bot-texts/en/no_such_text", "Hi"),
        ("/api/admin/bot-texts/EN!/closed", "Bye"),
        ("/api/admin/bot-texts/en/closed", "  "),
    ] {
        let reply = ada
            .request(Method::PUT, path, Some(json!({"template": template})))
            .await;
        assert_eq!(
            reply.refusal(),
            (422, "invalid".to_owned()),
            "{path} {template}"
        );
    }

    let reset = ada
        .request(
            Method::DELETE,
            "/api/admin/bot-texts/en/acknowledgement",
            None,
        )
        .await;
    assert_eq!(reset.status.as_u16(), 204);
    let again = ada
        .request(
            Method::DELETE,
            "/api/admin/bot-texts/en/acknowledgement",
            None,
        )
        .await;
    assert_eq!(again.refusal().0, 404);
    let bob = customer(7202, "Bob");
    app.telegram.customer_says(&bob, "hello");
    app.telegram
        .wait_for_message_to(bob.chat(), "Your request is ticket #", WAIT)
        .await
        .expect("the default is back");
    let actions: Vec<String> = audit(&ada).await.into_iter().map(|r| r.action).collect();
    assert_eq!(&actions[..2], ["bot_text.reset", "bot_text.set"]);
}

async fn the_audit_trail_pages_newest_first_and_records_canned_changes(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.admin("ada").await;
    let general = general_id(&ada).await;
    let canned: Value = ada
        .post(
            "/api/canned",
            json!({"department_id": general, "shortcut": "hi", "title": "Hi", "text": "Hello!"}),
        )
        .await
        .expect(201);
    let id = canned["id"].as_i64().expect("an id");
    patch(
        &ada,
        &format!("/api/canned/{id}"),
        json!({"text": "Hello there!"}),
    )
    .await
    .expect::<Value>(200);
    let deleted = ada
        .request(Method::DELETE, &format!("/api/canned/{id}"), None)
        .await;
    assert_eq!(deleted.status.as_u16(), 204);

    let first = ada.get("/api/audit?limit=2").await;
    let page: Vec<AuditView> = first.expect(200);
    let actions: Vec<&str> = page.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["canned.deleted", "canned.changed"]);
    assert_eq!(page[1].details["to"]["text"], "Hello there!");
    let before = page[1].id;
    let older: Vec<AuditView> = ada
        .get_json(&format!("/api/audit?limit=2&before={before}"))
        .await;
    assert_eq!(older[0].action, "canned.created");
    assert!(older.iter().all(|r| r.id < before));
    assert_eq!(ada.get("/api/audit?limit=501").await.refusal().0, 422);
    assert_eq!(ada.get("/api/audit?before=x").await.refusal().0, 422);
}

crate::backend_tests!(
    an_archived_department_takes_no_new_ticket_and_keeps_its_history,
    a_departments_greeting_is_sent_to_customers_whose_ticket_lands_there,
    an_overridden_bot_text_is_used_at_once_and_a_reset_brings_the_default_back,
    the_audit_trail_pages_newest_first_and_records_canned_changes,
);
