//! getUpdates with the Bot API's raw JSON in hand: each update is parsed on its own
//! (`update::parse`), so one that teloxide cannot read is logged and read leniently instead of
//! vanishing without a trace.

use std::time::Duration;

use serde_json::{Value, json};
use teloxide::types::Update;

use super::update;

/// Why a getUpdates failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Telegram asked us to wait this long.
    #[error("Telegram asked to wait {0:?}")]
    RetryAfter(Duration),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// The updates after `offset`, waiting up to `timeout` seconds for one. `allowed` (sent with the
/// first call only; Telegram remembers it) names the update kinds to receive.
pub async fn get_updates(
    bot: &teloxide::Bot,
    offset: i32,
    timeout: u32,
    allowed: Option<&[&str]>,
) -> Result<Vec<Update>, FetchError> {
    let mut url = bot.api_url();
    url.path_segments_mut()
        .map_err(|()| anyhow::anyhow!("the Bot API URL {} cannot have a path", bot.api_url()))?
        .push(&format!("bot{}", bot.token()))
        .push("GetUpdates");
    let mut body = json!({"offset": offset, "timeout": timeout});
    if let Some(allowed) = allowed {
        body["allowed_updates"] = json!(allowed);
    }
    let mut answer: Value = bot
        .client()
        .post(url)
        .json(&body)
        .send()
        .await
        .map_err(|e| anyhow::Error::new(e.without_url()).context("calling getUpdates"))?
        .json()
        .await
        .map_err(|e| anyhow::Error::new(e.without_url()).context("reading getUpdates"))?;
    if answer["ok"].as_bool() != Some(true) {
        if let Some(seconds) = answer["parameters"]["retry_after"].as_u64() {
            return Err(FetchError::RetryAfter(Duration::from_secs(seconds)));
        }
        let description = answer["description"].as_str().unwrap_or("no description");
        return Err(anyhow::anyhow!("getUpdates refused: {description}").into());
    }
    let Value::Array(raw) = answer["result"].take() else {
        return Err(anyhow::anyhow!("getUpdates answered no list of updates").into());
    };
    Ok(raw.into_iter().filter_map(update::parse).collect())
}
