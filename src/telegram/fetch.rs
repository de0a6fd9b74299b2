//! Bot API calls with the raw JSON in hand: getUpdates parses each update on its own
//! (`update::parse`), so one that teloxide cannot read is logged, read leniently or dead-lettered
//! instead of vanishing without a trace; setWebhook and deleteWebhook go the same way.

use std::time::Duration;

use super::update::{self, Received};
use serde_json::{Value, json};

/// Why a getUpdates failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Telegram asked us to wait this long.
    #[error("Telegram asked to wait {0:?}")]
    RetryAfter(Duration),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// The updates after `offset`, waiting up to `timeout` seconds for one, each as it came and as it
/// was read. `allowed` (sent with the first call only; Telegram remembers it) names the update
/// kinds to receive.
pub async fn get_updates(
    bot: &teloxide::Bot,
    calls: &crate::metrics::TelegramCalls,
    offset: i32,
    timeout: u32,
    allowed: Option<&[&str]>,
) -> Result<Vec<Received>, FetchError> {
    let mut body = json!({"offset": offset, "timeout": timeout});
    if let Some(allowed) = allowed {
        body["allowed_updates"] = json!(allowed);
    }
    let Value::Array(raw) = call(bot, calls, "GetUpdates", &body).await? else {
        return Err(anyhow::anyhow!("getUpdates answered no list of updates").into());
    };
    Ok(raw.into_iter().map(update::parse).collect())
}

/// Calls the Bot API method `method` with a JSON body; returns its result, or why it failed.
/// The call is counted in `calls` under its method.
pub async fn call(
    bot: &teloxide::Bot,
    calls: &crate::metrics::TelegramCalls,
    method: &str,
    body: &Value,
) -> Result<Value, FetchError> {
    let result = call_uncounted(bot, method, body).await;
    if let Some(named) = crate::metrics::TelegramMethod::named(method) {
        calls.result(named, &result);
    }
    result
}

async fn call_uncounted(
    bot: &teloxide::Bot,
    method: &str,
    body: &Value,
) -> Result<Value, FetchError> {
    let mut url = bot.api_url();
    url.path_segments_mut()
        .map_err(|()| anyhow::anyhow!("the Bot API URL {} cannot have a path", bot.api_url()))?
        .push(&format!("bot{}", bot.token()))
        .push(method);
    let mut answer: Value = bot
        .client()
        .post(url)
        .json(body)
        .send()
        .await
        .map_err(|e| anyhow::Error::new(e.without_url()).context(format!("calling {method}")))?
        .json()
        .await
        .map_err(|e| anyhow::Error::new(e.without_url()).context(format!("reading {method}")))?;
    if answer["ok"].as_bool() != Some(true) {
        if let Some(seconds) = answer["parameters"]["retry_after"].as_u64() {
            return Err(FetchError::RetryAfter(Duration::from_secs(seconds)));
        }
        let description = answer["description"].as_str().unwrap_or("no description");
        return Err(anyhow::anyhow!("{method} refused: {description}").into());
    }
    Ok(answer["result"].take())
}
