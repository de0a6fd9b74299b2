//! The sender's pacing under Telegram's limits: at most one message per chat per interval and a
//! number of messages per second for the whole bot, measured from when Telegram answered the
//! previous one, so the sender stays under the limits instead of learning them from 429s.

use std::{collections::HashMap, time::Duration};

use tokio::time::Instant;

use crate::domain::ChatId;

/// How long a chat's last send is remembered once its interval is over.
const FORGET_AFTER: Duration = Duration::from_secs(60);

/// When each chat, and the bot as a whole, may send next.
#[derive(Debug)]
pub struct Pacer {
    per_chat: Duration,
    gap: Duration,
    last_by_chat: HashMap<ChatId, Instant>,
    last_any: Option<Instant>,
}

impl Pacer {
    /// Pacing for `per_chat` between messages to one chat and `per_second` messages in all.
    pub fn new(per_chat: Duration, per_second: usize) -> Self {
        let per_second = u32::try_from(per_second.max(1)).unwrap_or(u32::MAX);
        Self {
            per_chat,
            gap: Duration::from_secs(1) / per_second,
            last_by_chat: HashMap::new(),
            last_any: None,
        }
    }

    /// When the chat may next be sent to (ignoring the bot-wide rate).
    pub fn chat_ready_at(&self, chat: ChatId) -> Option<Instant> {
        self.last_by_chat
            .get(&chat)
            .map(|last| *last + self.per_chat)
            .filter(|at| *at > Instant::now())
    }

    /// When the bot may next send to any chat.
    pub fn bot_ready_at(&self) -> Option<Instant> {
        self.last_any
            .map(|last| last + self.gap)
            .filter(|at| *at > Instant::now())
    }

    /// Notes that Telegram has just answered a message to `chat`.
    pub fn sent(&mut self, chat: ChatId) {
        let now = Instant::now();
        self.last_any = Some(now);
        self.last_by_chat.insert(chat, now);
        if self.last_by_chat.len() > 1024 {
            self.last_by_chat
                .retain(|_, last| now.duration_since(*last) < FORGET_AFTER);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chat_waits_its_interval_and_the_bot_its_gap_while_other_chats_do_not() {
        let mut pacer = Pacer::new(Duration::from_secs(60), 1);
        let chat = ChatId(1);
        assert_eq!(pacer.chat_ready_at(chat), None);
        assert_eq!(pacer.bot_ready_at(), None);
        pacer.sent(chat);
        let wait = pacer.chat_ready_at(chat).expect("the chat waits") - Instant::now();
        assert!(wait > Duration::from_secs(59) && wait <= Duration::from_secs(60));
        assert_eq!(pacer.chat_ready_at(ChatId(2)), None);
        let gap = pacer.bot_ready_at().expect("the bot waits") - Instant::now();
        assert!(gap > Duration::from_millis(900) && gap <= Duration::from_secs(1));
    }
}
