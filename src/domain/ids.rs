//! Ids as types: a ticket's id cannot be passed where a chat's is expected. Each is stored as its
//! number (sea-orm `DeriveValueType`) and serialized as a plain JSON number.

use std::{fmt, num::ParseIntError, str::FromStr};

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            sea_orm::DeriveValueType, serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    )*};
}

id_type! {
    /// A ticket; also its number as people say it ("ticket #12").
    TicketId;
    /// A customer who wrote to the bot.
    ClientId;
    /// An agent, supervisor or admin.
    AgentId;
    /// A department: a queue tickets are routed to.
    DepartmentId;
    /// A message of a ticket's conversation.
    MessageId;
    /// An event's place in the event log: the `seq` consoles see.
    EventSeq;
    /// A Telegram chat (for a customer, their private chat with the bot).
    ChatId;
    /// A Telegram user.
    TelegramUserId;
    /// A message's id inside its Telegram chat.
    TelegramMessageId;
    /// A Telegram update's id.
    UpdateId;
    /// An entry of a ticket's timeline.
    ChangeId;
    /// A `#` note about a client.
    NoteId;
    /// A canned response: a department's ready-made reply.
    CannedId;
    /// A Telegram update kept because it could not be processed.
    DeadLetterId;
}

impl TelegramUserId {
    /// The user's private chat with the bot: Telegram gives it the user's id.
    pub fn private_chat(self) -> ChatId {
        ChatId(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_and_print_as_their_numbers() {
        assert_eq!("12".parse::<TicketId>(), Ok(TicketId(12)));
        assert!("12a".parse::<TicketId>().is_err());
        assert_eq!(AgentId(7).to_string(), "7");
        assert_eq!(serde_json::to_string(&ChatId(-5)).unwrap(), "-5");
        assert_eq!(serde_json::from_str::<ClientId>("3").unwrap(), ClientId(3));
    }
}
