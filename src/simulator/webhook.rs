//! The fake Bot API's webhook: `setWebhook` (checked as Telegram checks it), `deleteWebhook`,
//! `getWebhookInfo`, and delivery: while a webhook is set, each pending update is posted as JSON
//! to its URL with the `X-Telegram-Bot-Api-Secret-Token` header, one at a time and in order,
//! and retried with a growing pause until the answer is a 2xx, as Telegram does.

use std::{sync::Arc, time::Duration};

use axum::response::Response;
use serde_json::{Value, json};

use super::{
    bot_api::{fail, ok},
    state::{Delivery, Inner, WebhookTarget},
};

/// The longest pause between two attempts to deliver one update, whatever the retry delay.
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(5);
/// How long one delivery may take before it counts as failed.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);
/// The deliveries remembered for tests (the oldest are forgotten).
const KEPT_DELIVERIES: usize = 1000;

/// `setWebhook`: an https URL (http only on a loopback host, for tests), an optional secret of 1
/// to 256 of `A-Z a-z 0-9 _ -`; an empty URL removes the webhook. Pending updates are kept unless
/// `drop_pending_updates` is true.
pub(super) fn set_webhook(inner: &Inner, params: &Value) -> Response {
    let url = params.get("url").and_then(Value::as_str).unwrap_or("");
    if url.is_empty() {
        return delete_webhook(inner, params);
    }
    let Ok(parsed) = url::Url::parse(url) else {
        return fail(400, "Bad Request: bad webhook: invalid URL");
    };
    let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
        return fail(
            400,
            "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
        );
    }
    let secret = match params.get("secret_token") {
        None | Some(Value::Null) => None,
        Some(Value::String(secret)) if crate::config::is_webhook_secret(secret) => {
            Some(secret.clone())
        }
        Some(_) => {
            return fail(
                400,
                "Bad Request: secret token contains unallowed characters",
            );
        }
    };
    let max_connections = params
        .get("max_connections")
        .and_then(Value::as_i64)
        .unwrap_or(40);
    if !(1..=100).contains(&max_connections) {
        return fail(
            400,
            "Bad Request: bad webhook: max_connections must be from 1 to 100",
        );
    }
    let mut state = inner.state();
    if params.get("drop_pending_updates").and_then(Value::as_bool) == Some(true) {
        state.updates.clear();
    }
    state.webhook = Some(WebhookTarget {
        url: url.to_owned(),
        secret,
        max_connections,
        allowed_updates: params.get("allowed_updates").cloned(),
    });
    state.last_webhook_error = None;
    drop(state);
    inner.webhook_changed.send_modify(|n| *n += 1);
    inner.new_update.notify_waiters();
    ok(json!(true))
}

/// `deleteWebhook`: getUpdates works again; pending updates are kept unless
/// `drop_pending_updates` is true.
pub(super) fn delete_webhook(inner: &Inner, params: &Value) -> Response {
    let mut state = inner.state();
    if params.get("drop_pending_updates").and_then(Value::as_bool) == Some(true) {
        state.updates.clear();
    }
    state.webhook = None;
    drop(state);
    inner.webhook_changed.send_modify(|n| *n += 1);
    ok(json!(true))
}

/// `getWebhookInfo`: the URL (empty when none), the pending updates, the last delivery error.
pub(super) fn webhook_info(inner: &Inner) -> Response {
    let state = inner.state();
    let mut info = json!({
        "url": state.webhook.as_ref().map_or("", |w| w.url.as_str()),
        "has_custom_certificate": false,
        "pending_update_count": state.updates.len(),
    });
    if let Some(webhook) = &state.webhook {
        info["max_connections"] = json!(webhook.max_connections);
        if let Some(allowed) = &webhook.allowed_updates {
            info["allowed_updates"] = allowed.clone();
        }
    }
    if let Some((date, message)) = &state.last_webhook_error {
        info["last_error_date"] = json!(date);
        info["last_error_message"] = json!(message);
    }
    ok(info)
}

/// Delivers pending updates to the webhook while one is set, until the fake is dropped.
pub(super) async fn deliver(inner: Arc<Inner>) {
    let Ok(client) = reqwest::Client::builder().timeout(DELIVERY_TIMEOUT).build() else {
        tracing::error!("the fake Bot API cannot build an HTTP client; no webhook delivery");
        return;
    };
    let mut failures: u32 = 0;
    loop {
        let notified = inner.new_update.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let next = {
            let state = inner.state();
            state
                .webhook
                .clone()
                .and_then(|target| match state.redeliveries.front() {
                    Some(update) => Some((target, update.clone(), true)),
                    None => state.updates.front().map(|u| (target, u.clone(), false)),
                })
        };
        let Some((target, update, redelivery)) = next else {
            notified.await;
            continue;
        };
        let update_id = update["update_id"].as_i64().unwrap_or(0);
        let mut request = client.post(&target.url).json(&update);
        if let Some(secret) = &target.secret {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        let answer = request.send().await;
        let status = answer.as_ref().ok().map(|r| r.status().as_u16());
        let delivered = status.is_some_and(|s| (200..300).contains(&s));
        {
            let mut state = inner.state();
            if state.deliveries.len() >= KEPT_DELIVERIES {
                state.deliveries.remove(0);
            }
            state.deliveries.push(Delivery { update_id, status });
            if delivered {
                let queue = if redelivery {
                    &mut state.redeliveries
                } else {
                    &mut state.updates
                };
                if queue.front().and_then(|u| u["update_id"].as_i64()) == Some(update_id) {
                    queue.pop_front();
                }
            } else {
                let message = match (&answer, status) {
                    (_, Some(code)) => format!("Wrong response from the webhook: {code}"),
                    (Err(error), None) => format!("Connection failed: {error}"),
                    (Ok(_), None) => "Connection failed".to_owned(),
                };
                state.last_webhook_error = Some((chrono::Utc::now().timestamp(), message));
            }
        }
        inner.delivery_made.send_modify(|n| *n += 1);
        if delivered {
            failures = 0;
            inner.delivered.send_if_modified(|highest| {
                let newer = update_id > *highest;
                *highest = (*highest).max(update_id);
                newer
            });
            continue;
        }
        failures = failures.saturating_add(1);
        let delay = inner.state().webhook_retry_delay;
        let pause = delay
            .saturating_mul(1 << failures.min(6).saturating_sub(1))
            .min(MAX_RETRY_PAUSE);
        tokio::time::sleep(pause).await;
    }
}
