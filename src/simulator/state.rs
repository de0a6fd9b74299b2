//! What the fake Telegram knows: queued updates, the calls the bot made, blocked users and
//! scripted failures; and the handle tests and the demo drive it with.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use serde_json::{Value, json};
use tokio::sync::{Notify, broadcast, watch};
use url::Url;

/// A Telegram user who writes to the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: i64,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub language: Option<String>,
}

impl Customer {
    /// A customer with a first name and a username.
    pub fn new(id: i64, first_name: &str, username: Option<&str>) -> Self {
        Self {
            id,
            first_name: first_name.to_owned(),
            last_name: None,
            username: username.map(str::to_owned),
            language: Some("en".to_owned()),
        }
    }

    fn user_json(&self) -> Value {
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
}

impl Inner {
    pub fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock is a bug in the fake; keep serving with what is there.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A running fake Bot API server. Cheap to clone.
#[derive(Clone)]
pub struct FakeTelegram {
    pub(super) inner: Arc<Inner>,
    url: Url,
}

/// The bot's own user, as getMe answers.
pub(super) const BOT_ID: i64 = 777_000_001;

impl FakeTelegram {
    /// Starts a fake Bot API server on 127.0.0.1 with a free port, for the bot token `token`.
    pub async fn start(token: &str) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = Url::parse(&format!("http://{}", listener.local_addr()?))?;
        let (calls, _) = broadcast::channel(4096);
        let inner = Arc::new(Inner {
            token: token.to_owned(),
            state: Mutex::new(State {
                next_update_id: 1,
                next_message_id: 1,
                updates: VecDeque::new(),
                redeliveries: VecDeque::new(),
                calls: Vec::new(),
                blocked: HashSet::new(),
                known_chats: HashMap::new(),
                failures: HashMap::new(),
                confirmed_offset: 0,
                poll_generation: 0,
                conflicts: 0,
            }),
            new_update: Notify::new(),
            calls,
            handed_out: watch::Sender::new(0),
            confirmed: watch::Sender::new(0),
        });
        let app = super::bot_api::router(inner.clone());
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "fake Bot API server stopped");
            }
        });
        Ok(Self { inner, url })
    }

    /// The server's base URL, for `TELEGRAM_API_URL`.
    pub fn api_url(&self) -> &Url {
        &self.url
    }

    /// The bot token it accepts.
    pub fn token(&self) -> &str {
        &self.inner.token
    }

    /// The customer sends `text` to the bot; returns the update id.
    pub fn customer_says(&self, customer: &Customer, text: &str) -> i64 {
        self.push_message(customer, json!({"text": text}))
    }

    /// The customer sends a message with these extra fields (`photo`, `caption`, ...); returns the update id.
    pub fn push_message(&self, customer: &Customer, fields: Value) -> i64 {
        let mut state = self.inner.state();
        let message_id = state.next_message_id;
        state.next_message_id += 1;
        state.known_chats.insert(customer.id, customer.clone());
        let mut message = json!({
            "message_id": message_id,
            "date": chrono::Utc::now().timestamp(),
            "chat": {"id": customer.id, "type": "private", "first_name": customer.first_name},
            "from": customer.user_json(),
        });
        if let (Some(target), Some(extra)) = (message.as_object_mut(), fields.as_object()) {
            target.extend(extra.clone());
        }
        let update_id = state.next_update_id;
        state.next_update_id += 1;
        state
            .updates
            .push_back(json!({"update_id": update_id, "message": message}));
        drop(state);
        self.inner.new_update.notify_waiters();
        update_id
    }

    /// Hands out an update once more, even one the bot confirmed, as Telegram may (it delivers
    /// at least once).
    pub fn redeliver(&self, update: Value) {
        self.inner.state().redeliveries.push_back(update);
        self.inner.new_update.notify_waiters();
    }

    /// The customer blocks the bot: sending to them fails with 403.
    pub fn block(&self, chat_id: i64) {
        self.inner.state().blocked.insert(chat_id);
    }

    /// The next call of `method` (any case) fails this way.
    pub fn fail_next(&self, method: &str, failure: Failure) {
        self.inner
            .state()
            .failures
            .entry(method.to_lowercase())
            .or_default()
            .push_back(failure);
    }

    /// Every call of `method` (any case) so far.
    pub fn calls(&self, method: &str) -> Vec<Call> {
        let method = method.to_lowercase();
        self.inner
            .state()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// The texts the bot sent to `chat_id`, in order.
    pub fn sent_to(&self, chat_id: i64) -> Vec<String> {
        self.calls("sendMessage")
            .into_iter()
            .filter(|c| c.body["chat_id"].as_i64() == Some(chat_id))
            .filter_map(|c| c.body["text"].as_str().map(str::to_owned))
            .collect()
    }

    /// How many getUpdates requests were ended by a newer one, as Telegram does when two bot
    /// instances poll at once (409 Conflict).
    pub fn conflicts(&self) -> u64 {
        self.inner.state().conflicts
    }

    /// The highest offset the bot confirmed with getUpdates.
    pub fn confirmed_offset(&self) -> i64 {
        self.inner.state().confirmed_offset
    }

    /// Waits until getUpdates has handed update `update_id` to the bot; false on timeout.
    pub async fn wait_handed_out(&self, update_id: i64, timeout: Duration) -> bool {
        let mut handed_out = self.inner.handed_out.subscribe();
        tokio::time::timeout(
            timeout,
            handed_out.wait_for(|highest| *highest >= update_id),
        )
        .await
        .is_ok_and(|r| r.is_ok())
    }

    /// Waits until the bot confirmed update `update_id` (sent a getUpdates offset past it, which
    /// it does only once the update is committed); false on timeout.
    pub async fn wait_confirmed(&self, update_id: i64, timeout: Duration) -> bool {
        let mut confirmed = self.inner.confirmed.subscribe();
        tokio::time::timeout(timeout, confirmed.wait_for(|offset| *offset > update_id))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Subscribes to calls as they happen.
    pub fn subscribe(&self) -> broadcast::Receiver<Call> {
        self.inner.calls.subscribe()
    }

    /// Waits until a call matching `matches` has been made (before or during the wait).
    pub async fn wait_for_call(
        &self,
        timeout: Duration,
        matches: impl Fn(&Call) -> bool,
    ) -> Option<Call> {
        let mut live = self.subscribe();
        if let Some(found) = self
            .inner
            .state()
            .calls
            .iter()
            .find(|c| matches(c))
            .cloned()
        {
            return Some(found);
        }
        tokio::time::timeout(timeout, async {
            loop {
                match live.recv().await {
                    Ok(call) if matches(&call) => return Some(call),
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
        .await
        .ok()
        .flatten()
    }

    /// Waits until the bot sent a message to `chat_id` whose text contains `needle`.
    pub async fn wait_for_message_to(
        &self,
        chat_id: i64,
        needle: &str,
        timeout: Duration,
    ) -> Option<String> {
        self.wait_for_call(timeout, |c| {
            c.method == "sendmessage"
                && c.body["chat_id"].as_i64() == Some(chat_id)
                && c.body["text"].as_str().is_some_and(|t| t.contains(needle))
        })
        .await
        .and_then(|c| c.body["text"].as_str().map(str::to_owned))
    }
}
