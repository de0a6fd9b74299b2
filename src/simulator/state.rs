//! What the fake Telegram knows: queued updates, the calls the bot made, blocked users and
//! scripted failures.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::{Mutex, MutexGuard},
    time::Duration,
};

use crate::domain::{ChatId, TelegramUserId};
use serde_json::{Value, json};
use tokio::sync::{Notify, broadcast, watch};

/// A Telegram user who writes to the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: TelegramUserId,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub language: Option<String>,
}

impl Customer {
    /// A customer with a first name and a username.
    pub fn new(id: TelegramUserId, first_name: &str, username: Option<&str>) -> Self {
        Self {
            id,
            first_name: first_name.to_owned(),
            last_name: None,
            username: username.map(str::to_owned),
            language: Some("en".to_owned()),
        }
    }

    /// The customer's private chat with the bot.
    pub fn chat(&self) -> ChatId {
        self.id.private_chat()
    }

    pub(super) fn user_json(&self) -> Value {
        let mut user = json!({"id": self.id, "is_bot": false, "first_name": self.first_name});
        if let Some(last) = &self.last_name {
            user["last_name"] = json!(last);
        }
        if let Some(username) = &self.username {
            user["username"] = json!(username);
        }
        if let Some(language) = &self.language {
            user["language_code"] = json!(language);
        }
        user
    }
}

/// One Bot API call the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    /// The method, lowercased (`sendmessage`).
    pub method: String,
    /// The parameters, as JSON.
    pub body: Value,
}

/// A failure to answer the next call of a method with, as Telegram would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// 429 Too Many Requests with `retry_after`.
    RetryAfter(u32),
    /// 400 with this description (`Bad Request: ...`).
    BadRequest(String),
    /// The answer comes, as usual, but only after this long (a slow or hanging Telegram).
    Slow(Duration),
    /// The connection drops before an answer is complete (the method is not carried out): what
    /// the bot sees when Telegram or the network on the way goes away mid-request.
    Dropped,
}

/// The webhook the bot set (`setWebhook`).
#[derive(Debug, Clone)]
pub(super) struct WebhookTarget {
    pub url: String,
    pub secret: Option<String>,
    pub max_connections: i64,
    pub allowed_updates: Option<Value>,
}

/// One attempt to deliver an update to the webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub update_id: i64,
    /// The HTTP status of the answer; None when the connection failed.
    pub status: Option<u16>,
}

pub(super) struct State {
    pub next_update_id: i64,
    pub next_message_id: i64,
    /// Updates not yet confirmed by an offset, oldest first.
    pub updates: VecDeque<Value>,
    /// Updates to hand out once more whatever the offset says (Telegram's at-least-once delivery).
    pub redeliveries: VecDeque<Value>,
    pub calls: Vec<Call>,
    pub blocked: HashSet<i64>,
    pub known_chats: HashMap<i64, Customer>,
    pub failures: HashMap<String, VecDeque<Failure>>,
    /// The highest offset any getUpdates confirmed.
    pub confirmed_offset: i64,
    /// Counts getUpdates requests; a newer one ends an older one still waiting.
    pub poll_generation: u64,
    /// getUpdates requests ended by a newer one (two bot instances polling at once).
    pub conflicts: u64,
    /// The messages the bot sent, by message id, as they now are (edits included).
    pub bot_messages: HashMap<i64, Value>,
    /// Callback queries handed out and not yet answered.
    pub open_queries: HashSet<String>,
    pub next_query_id: u64,
    /// The webhook, when set: updates are then posted to it and getUpdates is refused.
    pub webhook: Option<WebhookTarget>,
    /// The first pause before delivering an update to the webhook again (it doubles per failure).
    pub webhook_retry_delay: Duration,
    /// The latest webhook delivery failure: when (unix time) and why.
    pub last_webhook_error: Option<(i64, String)>,
    /// The latest attempts to deliver to the webhook, oldest first.
    pub deliveries: Vec<Delivery>,
    /// The latest updates queued, by id, so a test can have one delivered again.
    pub history: VecDeque<Value>,
    /// The bot's command menus set with setMyCommands, by language code ("" for the default).
    pub commands: HashMap<String, Value>,
    /// Files customers sent, by file id.
    pub files: HashMap<String, super::files::FakeFile>,
    pub next_file: u64,
    /// Files the bot sent with sendPhoto and sendDocument, in order.
    pub sent_files: Vec<super::uploads::SentFile>,
    /// Whether Telegram's rate limits are enforced (429 with retry_after).
    pub rate_limits: bool,
    /// Sends within the last second, with their chat, while limits are on.
    pub recent_sends: VecDeque<(std::time::Instant, i64)>,
    /// Sends refused with 429 for going over the limits.
    pub rate_limited: u64,
}

impl State {
    /// A message of `chat_id` that a reply may quote: one the customer or the bot sent.
    pub fn quotable(&self, chat_id: i64, message_id: i64) -> Option<Value> {
        if let Some(sent) = self.bot_messages.get(&message_id) {
            return (sent["chat"]["id"].as_i64() == Some(chat_id)).then(|| sent.clone());
        }
        self.history
            .iter()
            .filter_map(|u| u.get("message"))
            .find(|m| {
                m["message_id"].as_i64() == Some(message_id)
                    && m["chat"]["id"].as_i64() == Some(chat_id)
            })
            .cloned()
    }
}

pub(super) struct Inner {
    pub token: String,
    pub state: Mutex<State>,
    pub new_update: Notify,
    pub calls: broadcast::Sender<Call>,
    /// The highest update id getUpdates has handed to the bot.
    pub handed_out: watch::Sender<i64>,
    /// The highest offset the bot confirmed.
    pub confirmed: watch::Sender<i64>,
    /// Counts changes to the messages the bot sent (sent or edited).
    pub bot_messages_changed: watch::Sender<u64>,
    /// The highest update id the webhook accepted (answered 2xx).
    pub delivered: watch::Sender<i64>,
    /// Counts attempts to deliver to the webhook.
    pub delivery_made: watch::Sender<u64>,
    /// Counts changes of the webhook (set or deleted).
    pub webhook_changed: watch::Sender<u64>,
    /// Counts command menus set (setMyCommands).
    pub commands_changed: watch::Sender<u64>,
}

impl Inner {
    pub fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock is a bug in the fake; keep serving with what is there.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The bot's own user, as getMe answers.
pub(super) const BOT_ID: i64 = 777_000_001;
