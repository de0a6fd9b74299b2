//! Updates Telegram sends that teloxide cannot read as they are: a malformed one is skipped (and
//! logged; see `telegram::update`'s unit tests) without holding back the next message, and a
//! message with unusual optional fields keeps its text.

use serde_json::json;

use crate::support::{Backend, WAIT, customer, spawn_app};

async fn a_malformed_update_is_skipped_and_the_next_message_still_opens_a_ticket(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let broken = app.telegram.push_raw_update(json!({
        "message": {"message_id": "not a number", "chat": "nowhere", "text": "lost"}
    }));
    let ann = customer(7901, "Ann");
    let ticket = app
        .customer_opens_ticket(&ann, "after the broken one")
        .await;
    assert!(
        app.telegram.wait_confirmed(broken, WAIT).await,
        "the broken update's offset is confirmed, so it is not fetched forever"
    );
    let messages: Vec<serde_json::Value> = alice
        .get_json(&format!("/api/tickets/{ticket}/messages"))
        .await;
    assert_eq!(messages[0]["text"], "after the broken one");
}

async fn a_message_with_unusual_optional_fields_keeps_its_text(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let bea = customer(7902, "Bea");
    app.telegram.push_message(
        &bea,
        json!({
            "text": "my order #42 is late",
            "entities": [{"type": "a_kind_from_the_future", "offset": 0, "length": 2}],
            "link_preview_options": {"is_disabled": "sometimes", "novel": [1, 2]},
            "contact": {"phone_number": 12345},
            "quote": {"text": 7},
        }),
    );
    let ack = app
        .telegram
        .wait_for_message_to(bea.chat(), "Your request is ticket #", WAIT)
        .await
        .expect("the message opened a ticket");
    let ticket = crate::support::ticket_number_in(&ack);
    let messages: Vec<serde_json::Value> = alice
        .get_json(&format!("/api/tickets/{ticket}/messages"))
        .await;
    assert_eq!(messages[0]["text"], "my order #42 is late");
}

crate::backend_tests!(
    a_malformed_update_is_skipped_and_the_next_message_still_opens_a_ticket,
    a_message_with_unusual_optional_fields_keeps_its_text,
);
