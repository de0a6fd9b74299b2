//! `/metrics`: refused without the bearer token, and its figures after a known sequence (a
//! customer writes, a console connects).

use std::time::Duration;

use crate::support::{Backend, TEST_METRICS_TOKEN, TestApp, WAIT, customer, spawn_app};

async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, Option<String>, String) {
    let mut request = reqwest::Client::new().get(format!("{}/metrics", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("a response");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, content_type, response.text().await.expect("a body"))
}

/// The value of the sample `name` (with its labels, as written) in `text`.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

/// Scrapes until `done` holds for the body (the counters move just after Telegram answers);
/// panics after `WAIT`.
async fn scrape_until(app: &TestApp, what: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (status, _, body) = scrape(app, Some(TEST_METRICS_TOKEN)).await;
        assert_eq!(status, 200, "{body}");
        if done(&body) {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} never showed: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn metrics_need_the_token_and_count_tickets_telegram_calls_and_consoles(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(scrape(&app, None).await.0, 401);
    assert_eq!(scrape(&app, Some("not-the-token")).await.0, 401);

    let (status, content_type, before) = scrape(&app, Some(TEST_METRICS_TOKEN)).await;
    assert_eq!(status, 200);
    assert_eq!(
        content_type.as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    for family in [
        "# TYPE switchboard_tickets gauge",
        "# TYPE switchboard_queue_oldest_wait_seconds gauge",
        "# TYPE switchboard_console_events_pushed_total counter",
        "# TYPE switchboard_consoles_connected gauge",
        "# TYPE switchboard_telegram_calls_total counter",
        "# TYPE switchboard_telegram_errors_total counter",
        "# TYPE switchboard_outbox_depth gauge",
        "# TYPE switchboard_outbox_oldest_age_seconds gauge",
    ] {
        assert!(before.contains(family), "{family} missing: {before}");
    }
    assert_eq!(
        sample(&before, "switchboard_tickets{state=\"pending\"}"),
        Some(0.0)
    );
    assert_eq!(sample(&before, "switchboard_consoles_connected"), Some(0.0));
    assert_eq!(
        sample(
            &before,
            "switchboard_telegram_calls_total{method=\"sendMessage\"}"
        ),
        Some(0.0)
    );

    let ann = customer(7001, "Ann");
    app.customer_opens_ticket(&ann, "Hello, my order is late")
        .await;
    let after = scrape_until(&app, "the acknowledgement's sendMessage", |body| {
        sample(
            body,
            "switchboard_telegram_calls_total{method=\"sendMessage\"}",
        )
        .is_some_and(|n| n >= 1.0)
    })
    .await;
    assert_eq!(
        sample(&after, "switchboard_tickets{state=\"pending\"}"),
        Some(1.0)
    );
    assert_eq!(
        sample(&after, "switchboard_tickets{state=\"accepted\"}"),
        Some(0.0)
    );
    assert!(
        after.contains("switchboard_queue_oldest_wait_seconds{department_id=")
            && after.contains("department=\"General\"}"),
        "{after}"
    );
    assert!(
        sample(
            &after,
            "switchboard_telegram_calls_total{method=\"getUpdates\"}"
        )
        .is_some_and(|n| n >= 1.0),
        "{after}"
    );
    assert_eq!(
        sample(
            &after,
            "switchboard_telegram_errors_total{method=\"sendMessage\"}"
        ),
        Some(0.0)
    );

    let alice = app.agent("alice").await;
    let _console = alice.ws().await;
    scrape_until(&app, "the connected console", |body| {
        sample(body, "switchboard_consoles_connected") == Some(1.0)
    })
    .await;
}

crate::backend_tests!(metrics_need_the_token_and_count_tickets_telegram_calls_and_consoles);
