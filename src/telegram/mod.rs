//! The Telegram front door: our own getUpdates loop (acknowledging an update only after it is
//! committed) or webhook registration (the webhook route is in `http`), the one function that
//! turns an update into service calls (dead-lettering poison ones), and the outbox sender.

pub mod actions;
mod callbacks;
pub mod commands;
mod fetch;
pub mod files;
mod media;
pub mod pacing;
pub mod poller;
pub mod process;
pub mod sender;
pub mod transcripts;
pub mod update;
pub mod webhook;

use teloxide::Bot;
use url::Url;

/// A bot client for `token` talking to the Bot API at `api_url`.
pub fn bot(token: &str, api_url: &Url) -> Bot {
    Bot::new(token).set_api_url(api_url.clone())
}
