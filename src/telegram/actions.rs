//! Chat actions: "typing…" shown to a customer while their agent writes. Ephemeral, so never
//! through the outbox: sent at once, a failure logged and not retried.

use std::time::{Duration, Instant};

use dashmap::{DashMap, mapref::entry::Entry};
use teloxide::{prelude::Requester, types::ChatAction};

use crate::domain::{ChatId, TicketId};

/// At most one `typing` per ticket this often (Telegram shows it about 5 s).
pub const TYPING_INTERVAL: Duration = Duration::from_secs(5);
/// The most tickets remembered at once; older entries are pruned past it, and while every one is
/// fresh a new ticket's action is skipped (memory stays bounded whatever consoles send).
const MAX_TICKETS: usize = 10_000;
/// How long one send may take before it is given up.
const SEND_TIMEOUT: Duration = Duration::from_secs(3);

/// Sends chat actions, throttled per ticket on this instance.
pub struct ChatActions {
    bot: teloxide::Bot,
    last: DashMap<TicketId, Instant>,
    calls: std::sync::Arc<crate::metrics::TelegramCalls>,
}

impl ChatActions {
    pub fn new(bot: teloxide::Bot) -> Self {
        Self {
            bot,
            last: DashMap::new(),
            calls: std::sync::Arc::default(),
        }
    }

    /// The same, counting its calls in `calls`.
    pub fn counted(mut self, calls: std::sync::Arc<crate::metrics::TelegramCalls>) -> Self {
        self.calls = calls;
        self
    }

    /// Shows `typing` in the customer's chat of `ticket`, unless it was shown within the last
    /// 5 s; returns whether it was sent. Waits for Telegram's answer (at most 3 s).
    pub async fn typing(&self, ticket: TicketId, chat: ChatId) -> bool {
        if !self.claim(ticket, Instant::now()) {
            return false;
        }
        let send = self
            .bot
            .send_chat_action(teloxide::types::ChatId(chat.0), ChatAction::Typing);
        let result = tokio::time::timeout(SEND_TIMEOUT, send).await;
        self.calls.record(
            crate::metrics::TelegramMethod::SendChatAction,
            matches!(result, Ok(Ok(_))),
        );
        match result {
            Ok(Ok(_)) => true,
            Ok(Err(error)) => {
                tracing::warn!(ticket.id = %ticket, chat.id = %chat, %error, "sending typing failed");
                false
            }
            Err(_) => {
                tracing::warn!(ticket.id = %ticket, chat.id = %chat, "sending typing timed out");
                false
            }
        }
    }

    /// Takes the ticket's slot for `now` if its last action is at least the interval old.
    fn claim(&self, ticket: TicketId, now: Instant) -> bool {
        if self.last.len() >= MAX_TICKETS {
            self.last
                .retain(|_, at| now.duration_since(*at) < TYPING_INTERVAL);
        }
        let full = self.last.len() >= MAX_TICKETS;
        // The entry guard is dropped at the end of this match, before anything else.
        match self.last.entry(ticket) {
            Entry::Occupied(mut seen) => {
                if now.duration_since(*seen.get()) < TYPING_INTERVAL {
                    return false;
                }
                seen.insert(now);
                true
            }
            Entry::Vacant(_) if full => false,
            Entry::Vacant(place) => {
                place.insert(now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actions() -> ChatActions {
        ChatActions::new(teloxide::Bot::new("1:test"))
    }

    #[test]
    fn a_ticket_gets_one_action_per_interval() {
        let actions = actions();
        let start = Instant::now();
        assert!(actions.claim(TicketId(1), start));
        assert!(!actions.claim(TicketId(1), start + Duration::from_secs(4)));
        assert!(actions.claim(TicketId(2), start + Duration::from_secs(4)));
        assert!(actions.claim(TicketId(1), start + TYPING_INTERVAL));
    }

    #[test]
    fn the_remembered_tickets_stay_bounded() {
        let actions = actions();
        let start = Instant::now();
        for id in 0..MAX_TICKETS as i64 {
            assert!(actions.claim(TicketId(id), start));
        }
        // All fresh: a new ticket waits rather than growing the map.
        assert!(!actions.claim(TicketId(-1), start + Duration::from_secs(1)));
        assert_eq!(actions.last.len(), MAX_TICKETS);
        // Once they are old they are pruned and new tickets get their turn.
        assert!(actions.claim(TicketId(-1), start + TYPING_INTERVAL));
        assert_eq!(actions.last.len(), 1);
    }
}
