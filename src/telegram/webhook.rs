//! Webhook mode's registration with Telegram: `setWebhook` at start when a webhook URL is set
//! (Telegram then posts updates to our router instead of answering getUpdates), `deleteWebhook`
//! before polling again. Both are retried until they succeed or the server stops.

use std::time::Duration;

use serde_json::json;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::{
    fetch::{self, FetchError},
    poller::ALLOWED_UPDATES,
};

/// How many connections Telegram may open to deliver updates at once (Telegram's default).
pub const MAX_CONNECTIONS: u32 = 40;

/// The longest pause between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Registers `url` with `secret` as the bot's webhook; retries until it succeeds (true) or
/// `shutdown` (false). Pending updates are kept (`drop_pending_updates=false`).
pub async fn register(
    bot: &teloxide::Bot,
    calls: &crate::metrics::TelegramCalls,
    url: &Url,
    secret: &str,
    shutdown: &CancellationToken,
) -> bool {
    let body = json!({
        "url": url.as_str(),
        "secret_token": secret,
        "allowed_updates": ALLOWED_UPDATES,
        "max_connections": MAX_CONNECTIONS,
        "drop_pending_updates": false,
    });
    let done = retrying(bot, calls, "SetWebhook", &body, shutdown).await;
    if done {
        tracing::info!(url = %url, "Telegram delivers updates to the webhook");
    }
    done
}

/// Deletes the bot's webhook (keeping pending updates), so that getUpdates works; retries until
/// it succeeds (true) or `shutdown` (false).
pub async fn unregister(
    bot: &teloxide::Bot,
    calls: &crate::metrics::TelegramCalls,
    shutdown: &CancellationToken,
) -> bool {
    retrying(
        bot,
        calls,
        "DeleteWebhook",
        &json!({"drop_pending_updates": false}),
        shutdown,
    )
    .await
}

async fn retrying(
    bot: &teloxide::Bot,
    calls: &crate::metrics::TelegramCalls,
    method: &str,
    body: &serde_json::Value,
    shutdown: &CancellationToken,
) -> bool {
    let mut backoff = Duration::from_secs(1);
    loop {
        let result = tokio::select! {
            () = shutdown.cancelled() => return false,
            r = fetch::call(bot, calls, method, body) => r,
        };
        let wait = match result {
            Ok(_) => return true,
            Err(FetchError::RetryAfter(wait)) => wait,
            Err(FetchError::Other(error)) => {
                tracing::warn!(error = ?error, method, "calling Telegram failed; trying again");
                backoff
            }
        };
        backoff = (backoff * 2).min(MAX_BACKOFF);
        tokio::select! {
            () = shutdown.cancelled() => return false,
            () = tokio::time::sleep(wait) => {}
        }
    }
}
