//! An admin's change on one instance applies on another at once: disabling an agent through the
//! second instance closes the agent's console on the first (whose periodic re-check is an hour
//! away), and a bot text overridden through the second is what the first instance's bot sends.

use reqwest::Method;
use serde_json::json;
use switchboard::{domain::Role, http::CLOSE_SESSION_ENDED, views::AdminAgentView};

use crate::{
    administration::{AT_ONCE, close_code_within, spawn_app_without_periodic_recheck},
    instances::Instance,
    support::{Backend, WAIT, customer},
};

async fn a_disable_and_a_bot_text_change_on_one_instance_apply_on_another(backend: Backend) {
    let app = spawn_app_without_periodic_recheck(backend).await;
    app.add_agent("ada", Role::Admin, &[]).await;
    let alice = app.agent("alice").await;
    let second = Instance::start(&app.database_url).await;
    let ada_there = app.login("ada").await.on(&second.address);

    let mut ws = alice.ws().await;
    let disabled: AdminAgentView = ada_there
        .request(
            Method::PATCH,
            &format!("/api/admin/agents/{}", alice.id()),
            Some(json!({"active": false})),
        )
        .await
        .expect(200);
    assert!(!disabled.active);
    assert_eq!(
        close_code_within(&mut ws, AT_ONCE).await,
        Some(CLOSE_SESSION_ENDED),
        "the console on the first instance closed at once"
    );

    let reply = ada_there
        .request(
            Method::PUT,
            "/api/admin/bot-texts/en/acknowledgement",
            Some(json!({"template": "Noted: case {number} is queued."})),
        )
        .await;
    assert_eq!(reply.status.as_u16(), 204, "{}", reply.body);
    // The first instance applies the change when its tailer reads the control entry; a customer
    // who writes after that hears the new text. Wait for it without sleeping: each new customer
    // either got the old text (the change had not arrived) or the new one.
    let deadline = std::time::Instant::now() + AT_ONCE;
    let mut id = 8800;
    loop {
        id += 1;
        let ann = customer(id, "Ann");
        app.telegram.customer_says(&ann, "hello");
        let ack = app
            .telegram
            .wait_for_message_to(ann.chat(), "", WAIT)
            .await
            .expect("an acknowledgement");
        if ack.starts_with("Noted: case") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the first instance still sends {ack:?}"
        );
    }
}

crate::backend_tests!(a_disable_and_a_bot_text_change_on_one_instance_apply_on_another);
