//! The handle tests and the demo drive the fake Telegram with: it starts the Bot API server
//! (`bot_api`) over the shared state (`state`), queues customers' updates and reads what the bot
//! sent.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::{Value, json};
use tokio::sync::{Notify, broadcast, watch};
use url::Url;

use crate::domain::{ChatId, UpdateId};

use super::{
    bot_api,
    state::{Call, Customer, Failure, Inner, State},
    webhook,
};

mod webhooks;

/// The latest updates kept for `redeliver_update`.
const KEPT_UPDATES: usize = 1000;

/// A running fake Bot API server. Cheap to clone.
#[derive(Clone)]
pub struct FakeTelegram {
    pub(super) inner: Arc<Inner>,
    url: Url,
}

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
                commands: HashMap::new(),
                known_chats: HashMap::new(),
                failures: HashMap::new(),
                confirmed_offset: 0,
                poll_generation: 0,
                conflicts: 0,
                bot_messages: HashMap::new(),
                open_queries: HashSet::new(),
                next_query_id: 1,
                webhook: None,
                webhook_retry_delay: Duration::from_millis(100),
                last_webhook_error: None,
                deliveries: Vec::new(),
                history: VecDeque::new(),
                files: HashMap::new(),
                next_file: 0,
                sent_files: Vec::new(),
                rate_limits: false,
                recent_sends: VecDeque::new(),
                rate_limited: 0,
            }),
            new_update: Notify::new(),
            calls,
            handed_out: watch::Sender::new(0),
            confirmed: watch::Sender::new(0),
            bot_messages_changed: watch::Sender::new(0),
            delivered: watch::Sender::new(0),
            delivery_made: watch::Sender::new(0),
            webhook_changed: watch::Sender::new(0),
            commands_changed: watch::Sender::new(0),
        });
        tokio::spawn(webhook::deliver(inner.clone()));
        let app = bot_api::router(inner.clone());
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
    pub fn customer_says(&self, customer: &Customer, text: &str) -> UpdateId {
        self.push_message(customer, json!({"text": text}))
    }

    /// The customer sends a message with these extra fields (`photo`, `caption`, ...); returns the update id.
    pub fn push_message(&self, customer: &Customer, fields: Value) -> UpdateId {
        let mut state = self.inner.state();
        let message_id = state.next_message_id;
        state.next_message_id += 1;
        state
            .known_chats
            .insert(customer.chat().0, customer.clone());
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
        let update = json!({"update_id": update_id, "message": message});
        remember(&mut state, &update);
        state.updates.push_back(update);
        drop(state);
        self.inner.new_update.notify_waiters();
        UpdateId(update_id)
    }

    /// Queues an update exactly as given (malformed or unusual ones too), with the next
    /// `update_id` set in it; returns that id.
    pub fn push_raw_update(&self, mut update: Value) -> UpdateId {
        let mut state = self.inner.state();
        let update_id = state.next_update_id;
        state.next_update_id += 1;
        update["update_id"] = json!(update_id);
        remember(&mut state, &update);
        state.updates.push_back(update);
        drop(state);
        self.inner.new_update.notify_waiters();
        UpdateId(update_id)
    }

    /// The customer presses the button labelled `label` on the newest message the bot sent them
    /// with such a button; returns the callback query's id, None when there is no such button.
    pub fn customer_presses(&self, customer: &Customer, label: &str) -> Option<String> {
        let message = {
            let state = self.inner.state();
            let mut candidates: Vec<&Value> = state
                .bot_messages
                .values()
                .filter(|m| m["chat"]["id"].as_i64() == Some(customer.chat().0))
                .filter(|m| button_data(m, label).is_some())
                .collect();
            candidates.sort_by_key(|m| m["message_id"].as_i64());
            candidates.last().map(|m| (*m).clone())?
        };
        let data = button_data(&message, label)?;
        Some(self.customer_presses_data(customer, &message, &data))
    }

    /// The customer presses a button with this callback data on `message` (as the bot sent it);
    /// returns the callback query's id.
    pub fn customer_presses_data(
        &self,
        customer: &Customer,
        message: &Value,
        data: &str,
    ) -> String {
        let mut state = self.inner.state();
        let query_id = format!("cbq{}", state.next_query_id);
        state.next_query_id += 1;
        state.open_queries.insert(query_id.clone());
        let update_id = state.next_update_id;
        state.next_update_id += 1;
        let update = json!({
            "update_id": update_id,
            "callback_query": {
                "id": query_id,
                "from": customer.user_json(),
                "chat_instance": format!("ci{}", customer.id),
                "message": message,
                "data": data,
            },
        });
        remember(&mut state, &update);
        state.updates.push_back(update);
        drop(state);
        self.inner.new_update.notify_waiters();
        query_id
    }

    /// The newest message the bot sent to `chat` with an inline keyboard, as it now is.
    pub fn keyboard_message(&self, chat: ChatId) -> Option<Value> {
        let state = self.inner.state();
        state
            .bot_messages
            .values()
            .filter(|m| m["chat"]["id"].as_i64() == Some(chat.0))
            .filter(|m| m.get("reply_markup").is_some())
            .max_by_key(|m| m["message_id"].as_i64())
            .cloned()
    }

    /// Waits until the bot sent `chat` a message with an inline keyboard and Telegram holds it;
    /// returns the newest such message.
    pub async fn wait_for_keyboard_message(
        &self,
        chat: ChatId,
        timeout: Duration,
    ) -> Option<Value> {
        let mut changed = self.inner.bot_messages_changed.subscribe();
        tokio::time::timeout(timeout, async {
            loop {
                if let Some(found) = self.keyboard_message(chat) {
                    return Some(found);
                }
                changed.changed().await.ok()?;
            }
        })
        .await
        .ok()
        .flatten()
    }

    /// Waits until message `message_id` that the bot sent matches `matches` (after an edit, say);
    /// returns it as it then is.
    pub async fn wait_for_bot_message(
        &self,
        message_id: i64,
        timeout: Duration,
        matches: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        let mut changed = self.inner.bot_messages_changed.subscribe();
        tokio::time::timeout(timeout, async {
            loop {
                if let Some(found) = self.bot_message(message_id).filter(|m| matches(m)) {
                    return Some(found);
                }
                changed.changed().await.ok()?;
            }
        })
        .await
        .ok()
        .flatten()
    }

    /// A message the bot sent, as it now is (after any edits).
    pub fn bot_message(&self, message_id: i64) -> Option<Value> {
        self.inner.state().bot_messages.get(&message_id).cloned()
    }

    /// Waits until the bot answered callback query `query_id`; returns the answer's parameters.
    pub async fn wait_for_callback_answer(
        &self,
        query_id: &str,
        timeout: Duration,
    ) -> Option<Value> {
        self.wait_for_call(timeout, |c| {
            c.method == "answercallbackquery"
                && c.body["callback_query_id"].as_str() == Some(query_id)
        })
        .await
        .map(|c| c.body)
    }

    /// Hands out an update once more, even one the bot confirmed, as Telegram may (it delivers
    /// at least once).
    pub fn redeliver(&self, update: Value) {
        self.inner.state().redeliveries.push_back(update);
        self.inner.new_update.notify_waiters();
    }

    /// Hands out (or posts to the webhook) update `update_id` once more, as Telegram does when it
    /// is not sure the first delivery arrived; false when the update is not among the latest.
    pub fn redeliver_update(&self, update_id: UpdateId) -> bool {
        let update = self
            .inner
            .state()
            .history
            .iter()
            .find(|u| u["update_id"].as_i64() == Some(update_id.0))
            .cloned();
        match update {
            Some(update) => {
                self.redeliver(update);
                true
            }
            None => false,
        }
    }

    /// The update `update_id` as it was queued, if it is among the latest.
    pub fn update_json(&self, update_id: UpdateId) -> Option<Value> {
        self.inner
            .state()
            .history
            .iter()
            .find(|u| u["update_id"].as_i64() == Some(update_id.0))
            .cloned()
    }

    /// Turns Telegram's rate limits on: more than one message a second to a chat, or 30 a second
    /// in all, is answered 429 with `retry_after`.
    pub fn enforce_rate_limits(&self) {
        self.inner.state().rate_limits = true;
    }

    /// How many sends the rate limits refused with 429.
    pub fn rate_limited(&self) -> u64 {
        self.inner.state().rate_limited
    }

    /// The files the bot sent (sendPhoto, sendDocument), in order.
    pub fn sent_files(&self) -> Vec<crate::simulator::SentFile> {
        self.inner.state().sent_files.clone()
    }

    /// The messages the bot sent successfully, in the order Telegram took them.
    pub fn bot_messages(&self) -> Vec<Value> {
        let mut messages: Vec<Value> = self.inner.state().bot_messages.values().cloned().collect();
        messages.sort_by_key(|m| m["message_id"].as_i64());
        messages
    }

    /// How many messages Telegram has taken from the bot (without copying them).
    pub fn bot_message_count(&self) -> usize {
        self.inner.state().bot_messages.len()
    }

    /// Waits until Telegram has taken a message from the bot (sent, not merely asked for) that
    /// matches `matches`; returns it.
    pub async fn wait_for_sent(
        &self,
        timeout: Duration,
        matches: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        let mut changed = self.inner.bot_messages_changed.subscribe();
        tokio::time::timeout(timeout, async {
            loop {
                let found = self
                    .inner
                    .state()
                    .bot_messages
                    .values()
                    .find(|m| matches(m))
                    .cloned();
                if found.is_some() {
                    return found;
                }
                changed.changed().await.ok()?;
            }
        })
        .await
        .ok()
        .flatten()
    }

    /// Waits until the bot has sent a file (sendPhoto or sendDocument) to `chat`.
    pub async fn wait_for_file_to(
        &self,
        chat: ChatId,
        timeout: Duration,
    ) -> Option<crate::simulator::SentFile> {
        let mut changed = self.inner.bot_messages_changed.subscribe();
        tokio::time::timeout(timeout, async {
            loop {
                if let Some(file) = self
                    .inner
                    .state()
                    .sent_files
                    .iter()
                    .find(|f| f.chat_id == chat.0)
                    .cloned()
                {
                    return Some(file);
                }
                if changed.changed().await.is_err() {
                    return None;
                }
            }
        })
        .await
        .ok()
        .flatten()
    }

    /// A group chat the bot is a member of (a staff chat, with a negative id): the bot may send
    /// to it from now on.
    pub fn add_group_chat(&self, id: ChatId, title: &str) {
        let group = Customer {
            id: crate::domain::TelegramUserId(id.0),
            first_name: title.to_owned(),
            last_name: None,
            username: None,
            language: None,
        };
        self.inner.state().known_chats.insert(id.0, group);
    }

    /// The customer blocks the bot: sending to them fails with 403.
    pub fn block(&self, chat: ChatId) {
        self.inner.state().blocked.insert(chat.0);
    }

    /// The customer unblocks the bot without Telegram telling the bot (as when they just write).
    pub fn unblock(&self, chat: ChatId) {
        self.inner.state().blocked.remove(&chat.0);
    }

    /// The customer blocks the bot as Telegram reports it: sending fails with 403 from now on, and
    /// a `my_chat_member` update (the bot's status `kicked`) is queued; returns its update id.
    pub fn customer_blocks_bot(&self, customer: &Customer) -> UpdateId {
        self.block(customer.chat());
        self.push_raw_update(super::commands::membership_update(
            customer, "member", "kicked",
        ))
    }

    /// The customer unblocks the bot: sending works again and a `my_chat_member` update (status
    /// `member`) is queued; returns its update id.
    pub fn customer_unblocks_bot(&self, customer: &Customer) -> UpdateId {
        self.unblock(customer.chat());
        self.push_raw_update(super::commands::membership_update(
            customer, "kicked", "member",
        ))
    }

    /// Waits until the bot set the command menu of `language` (None: the default one).
    pub async fn wait_for_commands(
        &self,
        language: Option<&str>,
        timeout: Duration,
    ) -> Option<Value> {
        let mut changed = self.inner.commands_changed.subscribe();
        tokio::time::timeout(timeout, async {
            loop {
                if let Some(menu) = self.my_commands(language) {
                    return Some(menu);
                }
                changed.changed().await.ok()?;
            }
        })
        .await
        .ok()
        .flatten()
    }

    /// The command menu set for `language` (None: the default one), as setMyCommands gave it.
    pub fn my_commands(&self, language: Option<&str>) -> Option<Value> {
        self.inner
            .state()
            .commands
            .get(language.unwrap_or(""))
            .cloned()
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

    /// The texts the bot sent to `chat`, in order.
    pub fn sent_to(&self, chat: ChatId) -> Vec<String> {
        self.calls("sendMessage")
            .into_iter()
            .filter(|c| c.body["chat_id"].as_i64() == Some(chat.0))
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
    pub async fn wait_handed_out(&self, update: UpdateId, timeout: Duration) -> bool {
        let mut handed_out = self.inner.handed_out.subscribe();
        tokio::time::timeout(timeout, handed_out.wait_for(|highest| *highest >= update.0))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Waits until the bot confirmed update `update_id` (sent a getUpdates offset past it, which
    /// it does only once the update is committed); false on timeout.
    pub async fn wait_confirmed(&self, update: UpdateId, timeout: Duration) -> bool {
        let mut confirmed = self.inner.confirmed.subscribe();
        tokio::time::timeout(timeout, confirmed.wait_for(|offset| *offset > update.0))
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

    /// Waits until the bot sent a message to `chat` whose text contains `needle`.
    pub async fn wait_for_message_to(
        &self,
        chat: ChatId,
        needle: &str,
        timeout: Duration,
    ) -> Option<String> {
        self.wait_for_call(timeout, |c| {
            c.method == "sendmessage"
                && c.body["chat_id"].as_i64() == Some(chat.0)
                && c.body["text"].as_str().is_some_and(|t| t.contains(needle))
        })
        .await
        .and_then(|c| c.body["text"].as_str().map(str::to_owned))
    }
}

/// Keeps `update` among the latest, for `redeliver_update`.
fn remember(state: &mut State, update: &Value) {
    if state.history.len() >= KEPT_UPDATES {
        state.history.pop_front();
    }
    state.history.push_back(update.clone());
}

/// The callback data of the button labelled `label` in a message's inline keyboard.
fn button_data(message: &Value, label: &str) -> Option<String> {
    message["reply_markup"]["inline_keyboard"]
        .as_array()?
        .iter()
        .filter_map(Value::as_array)
        .flatten()
        .find(|b| b["text"].as_str() == Some(label))
        .and_then(|b| b["callback_data"].as_str())
        .map(str::to_owned)
}
