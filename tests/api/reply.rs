//! Replies: only the owner; stored first, then delivered to the customer's chat; failures visible.

use switchboard::{
    domain::{ChatId, DeliveryState, Direction},
    simulator::Failure,
    views::MessageView,
};

use crate::support::{Backend, WAIT, customer, spawn_app};

async fn the_owners_reply_reaches_the_customers_chat(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(3001, "Ann");
    let number = app.customer_opens_ticket(&ann, "Where is my order?").await;
    assert_eq!(alice.accept(number).await.status, 200);
    let mut ws = alice.ws().await;

    let reply = alice.reply(number, "It ships today.").await;

    let reply: MessageView = reply.expect(201);
    assert_eq!(reply.direction, Direction::Out);
    assert_eq!(reply.author.name, "Alice");
    assert_eq!(
        reply.delivery,
        Some(DeliveryState::Queued),
        "stored before it is sent"
    );
    let sent = app
        .telegram
        .wait_for_message_to(ann.chat(), "It ships today.", WAIT)
        .await;
    assert_eq!(sent.as_deref(), Some("It ships today."));
    let created = ws.expect_message("message.created", reply.id).await;
    assert_eq!(created.id, reply.id);
    let delivered = ws.expect_message("message.updated", reply.id).await;
    assert_eq!(delivered.id, reply.id);
    assert_eq!(delivered.delivery, Some(DeliveryState::Sent));
}

async fn only_the_owner_may_reply(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let bob = app.agent("bob").await;
    let number = app
        .customer_opens_ticket(&customer(3002, "Ann"), "hi")
        .await;

    let before_accept = bob.reply(number, "me first").await;
    assert_eq!(before_accept.refusal(), (403, "forbidden".to_owned()));
    alice.accept(number).await;
    let not_owner = bob.reply(number, "let me").await;
    assert_eq!(not_owner.refusal(), (403, "forbidden".to_owned()));
    let empty = alice.reply(number, "   ").await;
    assert_eq!(empty.refusal(), (422, "invalid".to_owned()));
    let too_long = alice.reply(number, &"x".repeat(4097)).await;
    assert_eq!(too_long.status, 422);
    assert_eq!(
        app.telegram.sent_to(ChatId(3002)).len(),
        1,
        "only the acknowledgement went out"
    );
}

async fn a_customer_who_blocked_the_bot_shows_as_a_failed_delivery(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(3003, "Ann");
    let number = app.customer_opens_ticket(&ann, "hi").await;
    alice.accept(number).await;
    app.telegram.block(ann.chat());
    let mut ws = alice.ws().await;

    let reply: MessageView = alice.reply(number, "Are you there?").await.expect(201);

    let updated = ws.expect_message("message.updated", reply.id).await;
    assert_eq!(updated.delivery, Some(DeliveryState::Failed));
    assert_eq!(
        updated.delivery_error.as_deref(),
        Some("the customer blocked the bot")
    );
    let stored: Vec<MessageView> = alice
        .get_json(&format!("/api/tickets/{number}/messages"))
        .await;
    let last = stored.last().expect("the ticket's messages");
    assert_eq!(last.text, "Are you there?", "the reply is kept");
    assert_eq!(last.delivery, Some(DeliveryState::Failed));
}

async fn a_rate_limited_reply_waits_as_telegram_asks_and_then_goes_out(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(3004, "Ann");
    let number = app.customer_opens_ticket(&ann, "hi").await;
    alice.accept(number).await;
    // Telegram refuses twice with the same answer: the console hears of it once.
    app.telegram
        .fail_next("sendMessage", Failure::RetryAfter(1));
    app.telegram
        .fail_next("sendMessage", Failure::RetryAfter(1));
    let mut ws = alice.ws().await;

    let reply: MessageView = alice.reply(number, "Sorry for the wait").await.json();

    let retrying = ws.expect_message("message.updated", reply.id).await;
    assert_eq!(retrying.delivery, Some(DeliveryState::Queued));
    assert_eq!(
        retrying.delivery_error.as_deref(),
        Some("Telegram rate limit; retrying in 1 s")
    );
    let sent = ws.expect_message("message.updated", reply.id).await;
    assert_eq!(sent.delivery, Some(DeliveryState::Sent));
    let attempts = app
        .telegram
        .calls("sendMessage")
        .into_iter()
        .filter(|c| c.body["text"] == "Sorry for the wait")
        .count();
    assert_eq!(attempts, 3, "two refused with 429, one delivered");
}

async fn a_reply_whose_sender_died_mid_send_is_delivered_after_restart(backend: Backend) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    use switchboard::store::{entity::message, messages::STALE_CLAIM};

    let mut app = spawn_app(backend.clone()).await;
    let alice = app.agent("alice").await;
    let ann = customer(3005, "Ann");
    let number = app.customer_opens_ticket(&ann, "hi").await;
    alice.accept(number).await;
    app.telegram.fail_next(
        "sendMessage",
        Failure::Slow(std::time::Duration::from_secs(30)),
    );
    let id = alice
        .reply(number, "Lost in flight?")
        .await
        .json::<MessageView>()
        .id;
    let in_flight = app
        .telegram
        .wait_for_call(WAIT, |c| {
            c.method == "sendmessage" && c.body["text"] == "Lost in flight?"
        })
        .await;
    assert!(in_flight.is_some(), "the send started");

    app.crash().await;
    // The claim is now older than a send can take: its worker is gone.
    let db = app.db().await;
    message::Entity::update_many()
        .col_expr(
            message::Column::DeliveryClaimedAt,
            Expr::value(chrono::Utc::now() - STALE_CLAIM - chrono::Duration::seconds(1)),
        )
        .filter(message::Column::Id.eq(id))
        .exec(&db)
        .await
        .expect("ageing the claim");
    let mut calls = app.telegram.subscribe();
    let restarted =
        crate::support::TestApp::start(backend, app.database_url.clone(), app.telegram.clone())
            .await;

    let resent = tokio::time::timeout(WAIT, async {
        loop {
            match calls.recv().await {
                Ok(c) if c.method == "sendmessage" && c.body["text"] == "Lost in flight?" => return,
                Ok(_) => {}
                Err(e) => panic!("call stream: {e}"),
            }
        }
    })
    .await;
    assert!(resent.is_ok(), "the restarted server sent it again");
    let mut ws = restarted.login("alice").await.ws().await;
    let row = message::Entity::find_by_id(id)
        .one(&db)
        .await
        .expect("query")
        .expect("row");
    if row.delivery != Some(DeliveryState::Sent) {
        assert_eq!(
            ws.expect_message("message.updated", id).await.delivery,
            Some(DeliveryState::Sent)
        );
    }
}

async fn a_reply_whose_connection_to_telegram_dropped_is_sent_again_and_delivered_once(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(3006, "Ann");
    let number = app.customer_opens_ticket(&ann, "hi").await;
    assert_eq!(alice.accept(number).await.status, 200);
    let mut ws = alice.ws().await;
    app.telegram.fail_next("sendMessage", Failure::Dropped);

    let reply: MessageView = alice.reply(number, "Through the storm").await.expect(201);

    let retrying = ws.expect_message("message.updated", reply.id).await;
    assert_eq!(
        retrying.delivery,
        Some(DeliveryState::Queued),
        "still queued after the drop"
    );
    assert!(
        retrying.delivery_error.is_some(),
        "the console sees why it is not sent yet"
    );
    let sent = ws.expect_message("message.updated", reply.id).await;
    assert_eq!(sent.delivery, Some(DeliveryState::Sent));
    let attempts = app
        .telegram
        .calls("sendMessage")
        .into_iter()
        .filter(|c| c.body["text"] == "Through the storm")
        .count();
    assert_eq!(attempts, 2, "one dropped, one delivered");
    assert_eq!(
        app.telegram
            .bot_messages()
            .iter()
            .filter(|m| m["chat"]["id"].as_i64() == Some(ann.chat().0)
                && m["text"] == "Through the storm")
            .count(),
        1,
        "the customer got it once"
    );
}

async fn a_dropped_long_poll_loses_no_customer_message(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let mut ws = alice.ws().await;
    app.telegram.fail_next("getUpdates", Failure::Dropped);
    app.telegram.fail_next("getUpdates", Failure::Dropped);

    let ann = customer(3007, "Ann");
    let update = app.telegram.customer_says(&ann, "Are you there?");

    let (_, created) = ws.expect_ticket_created().await;
    assert_eq!(created.client.telegram_id, ann.id);
    assert!(
        app.telegram.wait_confirmed(update, WAIT).await,
        "the poller went on after the dropped connections and confirmed the update"
    );
    assert!(
        app.telegram.calls("getUpdates").len() >= 3,
        "two polls dropped, then one answered"
    );
}

crate::backend_tests!(
    a_reply_whose_connection_to_telegram_dropped_is_sent_again_and_delivered_once,
    a_dropped_long_poll_loses_no_customer_message,
    the_owners_reply_reaches_the_customers_chat,
    only_the_owner_may_reply,
    a_customer_who_blocked_the_bot_shows_as_a_failed_delivery,
    a_rate_limited_reply_waits_as_telegram_asks_and_then_goes_out,
    a_reply_whose_sender_died_mid_send_is_delivered_after_restart,
);
