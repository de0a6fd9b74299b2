//! The Telegram front door: our own getUpdates loop (acknowledging an update only after it is
//! committed), the translation of updates into service calls, and the outbox sender.

pub mod actions;
mod callbacks;
mod fetch;
pub mod poller;
pub mod sender;
mod update;

use teloxide::Bot;
use url::Url;

/// A bot client for `token` talking to the Bot API at `api_url`.
pub fn bot(token: &str, api_url: &Url) -> Bot {
    Bot::new(token).set_api_url(api_url.clone())
}
