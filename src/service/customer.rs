//! The customer's side of the bot: their commands (`/start`, `/status`, `/new`), answers that
//! belong to no ticket, and whether the customer can be reached at all (a customer who blocked
//! the bot is "unreachable": their queued messages fail with the reason instead of being retried,
//! and agents see it live on every open ticket until the customer writes or unblocks the bot).

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};

use chrono::Utc;
use sea_orm::ConnectionTrait;
use tokio::sync::Notify;

use super::{NewEvent, Service, ServiceError, record_message_event, record_ticket_updated};
use crate::{
    domain::{ChatId, ClientId, TelegramUserId},
    hub::Event,
    store::{self, entity::client},
};

/// A command a customer sends the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// `/start`, maybe with a deep link's payload (`/start billing`).
    Start { with_payload: bool },
    /// `/status`: the open ticket's number, department and state.
    Status,
    /// `/new`: a separate ticket, the open one left as it is.
    New,
}

impl Command {
    /// The command `text` is, if it is one (`/status` or `/status@our_bot`); None for anything
    /// else, which is an ordinary message.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let word = text.split_whitespace().next()?.strip_prefix('/')?;
        let name = word.split('@').next()?;
        let rest = text[1 + word.len()..].trim();
        match name {
            "start" => Some(Self::Start {
                with_payload: !rest.is_empty(),
            }),
            "status" if rest.is_empty() => Some(Self::Status),
            "new" if rest.is_empty() => Some(Self::New),
            _ => None,
        }
    }

    /// The commands in Telegram's command menu, with the text key of their description.
    pub const MENU: [(&'static str, crate::texts::Text); 3] = [
        ("start", crate::texts::Text::CommandStart),
        ("status", crate::texts::Text::CommandStatus),
        ("new", crate::texts::Text::CommandNew),
    ];
}

/// An answer to a customer that belongs to no ticket (`/status` without an open ticket, a bare
/// `/start`): sent once after the commit, not through the durable outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectReply {
    pub chat: ChatId,
    pub text: String,
}

/// The answers waiting to be sent, bounded: past `MAX_WAITING` the oldest is dropped.
#[derive(Clone, Default)]
pub struct DirectReplies {
    waiting: Arc<Mutex<VecDeque<DirectReply>>>,
    added: Arc<Notify>,
}

/// The most direct replies waiting at once.
const MAX_WAITING: usize = 1_000;

impl DirectReplies {
    /// Queues replies and wakes the sender.
    pub fn push(&self, replies: impl IntoIterator<Item = DirectReply>) {
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        for reply in replies {
            if waiting.len() >= MAX_WAITING {
                waiting.pop_front();
            }
            waiting.push_back(reply);
        }
        drop(waiting);
        self.added.notify_one();
    }

    /// Takes the next reply, waiting for one.
    pub async fn next(&self) -> DirectReply {
        loop {
            let notified = self.added.notified();
            if let Some(reply) = self
                .waiting
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop_front()
            {
                return reply;
            }
            notified.await;
        }
    }
}

impl Service {
    /// The customer with this Telegram id blocked the bot (Telegram answered 403, or sent a
    /// `my_chat_member` update with status `kicked`): marks them unreachable with `reason`, fails
    /// their queued messages with it (no retry can help) and tells the consoles on every open
    /// ticket. Returns whether they were reachable until now.
    pub async fn customer_unreachable(
        &self,
        customer: TelegramUserId,
        reason: &str,
    ) -> Result<bool, ServiceError> {
        let txn = store::begin_write(&self.db).await?;
        let Some(client) = store::clients::find_by_telegram_id(&txn, customer).await? else {
            return Ok(false);
        };
        let marked = store::clients::mark_unreachable(&txn, client.id, reason, Utc::now()).await?;
        let mut events = Vec::new();
        let failed =
            store::messages::fail_queued_for_chat(&txn, customer.private_chat(), reason).await?;
        for id in failed {
            let message = store::messages::find(&txn, id)
                .await?
                .ok_or_else(|| ServiceError::bug(format!("failed message {id} vanished")))?;
            let ticket = store::tickets::find(&txn, message.ticket_id)
                .await?
                .ok_or_else(|| ServiceError::bug(format!("message {id} has no ticket")))?;
            let (_, event) =
                record_message_event(&txn, ticket.department, message, &client.name, |message| {
                    Event::MessageUpdated { message }
                })
                .await?;
            events.push(event);
        }
        if marked {
            announce_client(&txn, client.id, &mut events).await?;
        }
        self.commit(txn, events).await?;
        if marked {
            tracing::info!(client.id = %client.id, reason, "customer unreachable");
        }
        Ok(marked)
    }

    /// The customer with this Telegram id can be reached again (they unblocked the bot); returns
    /// whether they were unreachable until now.
    pub async fn customer_reachable(&self, customer: TelegramUserId) -> Result<bool, ServiceError> {
        let txn = store::begin_write(&self.db).await?;
        let Some(client) = store::clients::find_by_telegram_id(&txn, customer).await? else {
            return Ok(false);
        };
        let mut events = Vec::new();
        let cleared = clear_unreachable(&txn, &client, &mut events).await?;
        self.commit(txn, events).await?;
        Ok(cleared)
    }
}

/// Clears the client's unreachable mark in the caller's transaction (they wrote, so they can be
/// reached) with a `ticket.updated` event per open ticket; true when it was set.
pub(super) async fn clear_unreachable<C>(
    c: &C,
    client: &client::Model,
    events: &mut Vec<NewEvent>,
) -> Result<bool, ServiceError>
where
    C: ConnectionTrait,
{
    if client.unreachable_since.is_none() || !store::clients::mark_reachable(c, client.id).await? {
        return Ok(false);
    }
    announce_client(c, client.id, events).await?;
    tracing::info!(client.id = %client.id, "customer reachable again");
    Ok(true)
}

/// A `ticket.updated` event for each open ticket of the client (its view shows the client).
async fn announce_client<C>(
    c: &C,
    client: ClientId,
    events: &mut Vec<NewEvent>,
) -> Result<(), ServiceError>
where
    C: ConnectionTrait,
{
    let open = store::tickets::open_for_client(c, client).await?;
    for view in store::tickets::views(c, open).await? {
        events.push(record_ticket_updated(&view, None)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_read_with_or_without_the_bot_name() {
        assert_eq!(
            Command::parse("/start"),
            Some(Command::Start {
                with_payload: false
            })
        );
        assert_eq!(
            Command::parse("/start billing"),
            Some(Command::Start { with_payload: true })
        );
        assert_eq!(Command::parse(" /status "), Some(Command::Status));
        assert_eq!(
            Command::parse("/status@switchboard_bot"),
            Some(Command::Status)
        );
        assert_eq!(Command::parse("/new"), Some(Command::New));
        for plain in [
            "hello",
            "/newer",
            "/status please",
            "status",
            "",
            "/",
            "/stop",
        ] {
            assert_eq!(Command::parse(plain), None, "{plain:?}");
        }
    }

    #[tokio::test]
    async fn direct_replies_stay_bounded_and_come_out_in_order() {
        let replies = DirectReplies::default();
        let reply = |n: usize| DirectReply {
            chat: ChatId(1),
            text: n.to_string(),
        };
        replies.push((0..MAX_WAITING + 2).map(reply));
        assert_eq!(replies.next().await, reply(2));
        assert_eq!(replies.next().await, reply(3));
    }
}
