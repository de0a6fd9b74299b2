//! Webhook mode: Telegram posts updates to our own router. The secret header is the credential,
//! an update is answered 200 only once committed, a repeat changes nothing, several instances
//! take webhooks at once, and switching back to polling deletes the webhook.

use std::time::Duration;

use futures_util::future::join_all;

use crate::support::{
    Backend, TEST_WEBHOOK_SECRET, TestApp, WAIT, count_rows, customer, message_update,
    spawn_webhook_app, ticket_number_in,
};

async fn a_message_delivered_by_the_webhook_becomes_a_ticket_that_the_console_hears(
    backend: Backend,
) {
    let app = spawn_webhook_app(backend).await;
    let (url, secret) = app
        .telegram
        .wait_for_webhook(WAIT)
        .await
        .expect("the server set a webhook");
    assert_eq!(url, app.webhook_url());
    assert_eq!(secret.as_deref(), Some(TEST_WEBHOOK_SECRET));
    let set = app.telegram.calls("setWebhook").pop().expect("setWebhook");
    assert_eq!(set.body["drop_pending_updates"], false);
    assert_eq!(
        set.body["allowed_updates"],
        serde_json::json!([
            "message",
            "edited_message",
            "callback_query",
            "my_chat_member"
        ])
    );
    let alice = app.agent("alice").await;
    let mut ws = alice.ws().await;

    let ann = customer(9101, "Ann");
    let update = app.telegram.customer_says(&ann, "hello by webhook");
    assert!(
        app.telegram.wait_delivered(update, WAIT).await,
        "the webhook accepted the update"
    );
    let (_, created) = ws.expect_ticket_created().await;
    let ack = app
        .telegram
        .wait_for_message_to(ann.chat(), "Your request is ticket #", WAIT)
        .await
        .expect("the customer was acknowledged");
    assert_eq!(created.id, ticket_number_in(&ack));
    assert!(
        app.telegram.calls("getUpdates").is_empty(),
        "webhook mode does not poll"
    );
}

async fn a_wrong_or_missing_secret_is_refused_and_nothing_is_stored(backend: Backend) {
    let app = spawn_webhook_app(backend).await;
    let ann = customer(9102, "Ann");
    let body = message_update(500, &ann, 1, "let me in").to_string();
    assert_eq!(app.post_update(body.clone(), Some("wrong")).await, 401);
    assert_eq!(app.post_update(body.clone(), None).await, 401);
    assert_eq!(
        app.post_update(body.clone(), Some(&format!("{TEST_WEBHOOK_SECRET}x")))
            .await,
        401
    );
    let db = app.db().await;
    assert_eq!(count_rows(&db, "telegram_updates").await, 0);
    assert_eq!(count_rows(&db, "messages").await, 0);
    assert_eq!(count_rows(&db, "dead_letters").await, 0);
    // Too big a body is refused before it is read whole.
    let huge = format!(
        "{{\"update_id\": 501, \"padding\": \"{}\"}}",
        "x".repeat(switchboard::http::MAX_UPDATE_BYTES)
    );
    assert_eq!(app.post_update(huge, Some(TEST_WEBHOOK_SECRET)).await, 413);
    assert_eq!(count_rows(&db, "telegram_updates").await, 0);
    // The right secret is let in.
    assert_eq!(app.post_update(body, Some(TEST_WEBHOOK_SECRET)).await, 200);
    assert_eq!(count_rows(&db, "telegram_updates").await, 1);
}

async fn a_repeated_update_changes_nothing_and_the_answer_comes_after_the_commit(backend: Backend) {
    let app = spawn_webhook_app(backend).await;
    app.telegram
        .wait_for_webhook(WAIT)
        .await
        .expect("a webhook");
    let db = app.db().await;
    let bea = customer(9103, "Bea");
    let body = message_update(700, &bea, 31, "only once").to_string();
    assert_eq!(
        app.post_update(body.clone(), Some(TEST_WEBHOOK_SECRET))
            .await,
        200
    );
    // The 200 came after the commit: the message is there at once.
    assert_eq!(count_rows(&db, "tickets").await, 1);
    let inbound = "SELECT COUNT(*) AS n FROM messages WHERE direction = 'in'";
    assert_eq!(count_where(&db, inbound).await, 1);
    assert_eq!(
        app.post_update(body.clone(), Some(TEST_WEBHOOK_SECRET))
            .await,
        200
    );
    // Telegram's own redelivery of an update it posted before changes nothing either.
    let carl = customer(9104, "Carl");
    let update = app.telegram.customer_says(&carl, "also once");
    assert!(app.telegram.wait_delivered(update, WAIT).await);
    assert!(app.telegram.redeliver_update(update));
    let twice = |d: &[switchboard::simulator::Delivery]| {
        d.iter()
            .filter(|d| d.update_id == update.0 && d.status == Some(200))
            .count()
            == 2
    };
    assert!(
        app.telegram.wait_for_deliveries(WAIT, twice).await,
        "{:?}",
        app.telegram.deliveries()
    );
    assert_eq!(count_rows(&db, "tickets").await, 2);
    assert_eq!(count_where(&db, inbound).await, 2);
}

async fn two_instances_on_one_database_both_take_webhooks(backend: Backend) {
    let first = spawn_webhook_app(backend.clone()).await;
    let other_telegram = switchboard::simulator::FakeTelegram::start("4242:test-token")
        .await
        .expect("a fake Bot API");
    let second = TestApp::start_webhook(backend, first.database_url.clone(), other_telegram).await;
    // A load balancer spreads updates over both; the same update may reach both at once.
    let posts = (0..10).map(|n| {
        let target = if n % 2 == 0 { &first } else { &second };
        let person = customer(9200 + n, "Many");
        let body = message_update(800 + n, &person, 1, "balanced").to_string();
        target.post_update(body, Some(TEST_WEBHOOK_SECRET))
    });
    let statuses = join_all(posts).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let twice = message_update(900, &customer(9300, "Twice"), 1, "raced").to_string();
    let raced = tokio::join!(
        first.post_update(twice.clone(), Some(TEST_WEBHOOK_SECRET)),
        second.post_update(twice, Some(TEST_WEBHOOK_SECRET)),
    );
    assert_eq!(raced, (200, 200));
    let db = first.db().await;
    assert_eq!(count_rows(&db, "tickets").await, 11);
    assert_eq!(
        count_where(
            &db,
            "SELECT COUNT(*) AS n FROM messages WHERE direction = 'in'"
        )
        .await,
        11
    );
}

async fn switching_back_to_polling_deletes_the_webhook_and_polling_works(backend: Backend) {
    let mut app = spawn_webhook_app(backend.clone()).await;
    app.telegram
        .wait_for_webhook(WAIT)
        .await
        .expect("a webhook");
    app.stop().await;
    // Telegram keeps what arrives meanwhile, and refuses getUpdates while the webhook is set.
    let dan = customer(9105, "Dan");
    app.telegram.customer_says(&dan, "while switching");
    let polling = TestApp::start(backend, app.database_url.clone(), app.telegram.clone()).await;
    polling
        .telegram
        .wait_for_message_to(dan.chat(), "Your request is ticket #", WAIT)
        .await
        .expect("the pending update was polled after the webhook was deleted");
    assert!(polling.telegram.webhook().is_none());
    assert!(!polling.telegram.calls("deleteWebhook").is_empty());
    polling
        .customer_opens_ticket(&customer(9106, "Eve"), "polled")
        .await;
}

async fn a_failed_delivery_is_retried_until_a_server_takes_it(backend: Backend) {
    let mut app = spawn_webhook_app(backend.clone()).await;
    app.telegram
        .set_webhook_retry_delay(Duration::from_millis(20));
    app.telegram
        .wait_for_webhook(WAIT)
        .await
        .expect("a webhook");
    app.stop().await;
    let fay = customer(9107, "Fay");
    let update = app.telegram.customer_says(&fay, "nobody home");
    assert!(
        app.telegram
            .wait_for_deliveries(WAIT, |d| d.iter().filter(|d| d.status.is_none()).count()
                >= 2)
            .await,
        "the fake retries a delivery that found no server"
    );
    // A new server (on another port) registers its URL; the pending update reaches it.
    let restarted =
        TestApp::start_webhook(backend, app.database_url.clone(), app.telegram.clone()).await;
    assert!(restarted.telegram.wait_delivered(update, WAIT).await);
    restarted
        .telegram
        .wait_for_message_to(fay.chat(), "Your request is ticket #", WAIT)
        .await
        .expect("the update became a ticket");
}

async fn count_where(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .expect("count query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}

crate::backend_tests!(
    a_message_delivered_by_the_webhook_becomes_a_ticket_that_the_console_hears,
    a_wrong_or_missing_secret_is_refused_and_nothing_is_stored,
    a_repeated_update_changes_nothing_and_the_answer_comes_after_the_commit,
    two_instances_on_one_database_both_take_webhooks,
    switching_back_to_polling_deletes_the_webhook_and_polling_works,
    a_failed_delivery_is_retried_until_a_server_takes_it,
);
