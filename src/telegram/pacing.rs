//! The sender's pacing under Telegram's limits: at most one message per chat per interval, and a
//! number of messages per second for the whole bot, so the sender stays under the limits instead
//! of learning them from 429s. Sends to different chats may be in flight at once.
//!
//! The bot-wide rate holds however many sends are in flight: a send starts only while fewer than
//! `per_second` others are in flight or were answered within the last second. Telegram receives
//! a message between its start and its answer, so of any `per_second + 1` messages, the last to
//! start began after every other one was answered at least a second before it, or not at all:
//! no second (at Telegram's end) ever holds more than `per_second` arrivals. Starts are also
//! spaced by `1 s / per_second`, so the rate is smooth rather than a burst per second.

use std::{
    collections::{HashMap, VecDeque},
    time::Duration,
};

use tokio::time::Instant;

use crate::domain::ChatId;

/// How long a chat's last send is remembered once its interval is over.
const FORGET_AFTER: Duration = Duration::from_secs(60);
/// The window Telegram's bot-wide limit counts in.
const WINDOW: Duration = Duration::from_secs(1);

/// When each chat, and the bot as a whole, may send next.
#[derive(Debug)]
pub struct Pacer {
    per_chat: Duration,
    per_second: usize,
    gap: Duration,
    last_by_chat: HashMap<ChatId, Instant>,
    last_start: Option<Instant>,
    in_flight: usize,
    /// When sends were answered, oldest first (only the last second's matter).
    answered: VecDeque<Instant>,
}

/// When the next send may start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ready {
    Now,
    At(Instant),
    /// Only once a send in flight is answered (the window is full of sends in flight).
    AfterAnswer,
}

impl Pacer {
    /// Pacing for `per_chat` between messages to one chat and `per_second` messages in all.
    pub fn new(per_chat: Duration, per_second: usize) -> Self {
        let per_second = per_second.max(1);
        Self {
            per_chat,
            per_second,
            gap: WINDOW / u32::try_from(per_second).unwrap_or(u32::MAX),
            last_by_chat: HashMap::new(),
            last_start: None,
            in_flight: 0,
            answered: VecDeque::new(),
        }
    }

    /// When the chat may next be sent to (ignoring the bot-wide rate): its interval after
    /// Telegram answered its last message.
    pub fn chat_ready_at(&self, chat: ChatId) -> Option<Instant> {
        self.last_by_chat
            .get(&chat)
            .map(|last| *last + self.per_chat)
            .filter(|at| *at > Instant::now())
    }

    /// When a send to `chat` may start: its chat's interval, the gap after the previous start,
    /// and a free place in the bot's one-second window.
    pub fn ready(&mut self, chat: ChatId) -> Ready {
        let now = Instant::now();
        while self
            .answered
            .front()
            .is_some_and(|at| now.duration_since(*at) > WINDOW)
        {
            self.answered.pop_front();
        }
        let taken = self.in_flight + self.answered.len();
        let window = if taken < self.per_second {
            None
        } else {
            // The window frees when enough answers are more than a second old.
            match self.answered.get(taken - self.per_second) {
                Some(at) => Some(*at + WINDOW + Duration::from_nanos(1)),
                None => return Ready::AfterAnswer,
            }
        };
        let gap = self.last_start.map(|last| last + self.gap);
        match [self.chat_ready_at(chat), gap, window]
            .into_iter()
            .flatten()
            .max()
            .filter(|at| *at > now)
        {
            Some(at) => Ready::At(at),
            None => Ready::Now,
        }
    }

    /// Notes that a send has started.
    pub fn started(&mut self) {
        self.last_start = Some(Instant::now());
        self.in_flight += 1;
    }

    /// Notes that Telegram has just answered a message to `chat` (whatever the answer).
    pub fn answered(&mut self, chat: ChatId) {
        let now = Instant::now();
        self.in_flight = self.in_flight.saturating_sub(1);
        self.answered.push_back(now);
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

    fn wait(ready: Ready) -> Duration {
        match ready {
            Ready::At(at) => at - Instant::now(),
            other => panic!("expected a wait, got {other:?}"),
        }
    }

    #[test]
    fn a_chat_waits_its_interval_and_the_bot_its_gap_while_other_chats_do_not() {
        let mut pacer = Pacer::new(Duration::from_secs(60), 1);
        let chat = ChatId(1);
        assert_eq!(pacer.chat_ready_at(chat), None);
        assert_eq!(pacer.ready(chat), Ready::Now);
        pacer.started();
        pacer.answered(chat);
        let chat_wait = pacer.chat_ready_at(chat).expect("the chat waits") - Instant::now();
        assert!(chat_wait > Duration::from_secs(59) && chat_wait <= Duration::from_secs(60));
        assert!(wait(pacer.ready(chat)) > Duration::from_secs(59));
        assert_eq!(pacer.chat_ready_at(ChatId(2)), None);
        let gap = wait(pacer.ready(ChatId(2)));
        assert!(gap > Duration::from_millis(900) && gap <= Duration::from_secs(1));
    }

    #[test]
    fn sends_in_flight_fill_the_window_until_one_is_answered() {
        let mut pacer = Pacer::new(Duration::ZERO, 1000);
        let mut chats = (0..).map(ChatId);
        for _ in 0..1000 {
            while let Ready::At(at) = pacer.ready(chats.next().expect("chats")) {
                assert!(at - Instant::now() <= Duration::from_millis(1));
                std::thread::sleep(at - Instant::now());
            }
            pacer.started();
        }
        assert_eq!(pacer.ready(ChatId(-1)), Ready::AfterAnswer);
        pacer.answered(ChatId(0));
        let freed = wait(pacer.ready(ChatId(-1)));
        assert!(
            freed > Duration::from_millis(990) && freed <= WINDOW + Duration::from_millis(1),
            "an answer frees its place a second later: {freed:?}"
        );
    }
}
