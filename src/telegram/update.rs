//! Turning a Telegram update into what the service ingests.

use serde_json::Value;
use teloxide::types::{
    CallbackQuery, ChatMemberKind, Message, Update, UpdateId as TgUpdateId, UpdateKind,
};

use crate::{
    domain::{ChatId, TelegramMessageId, TelegramUserId, UpdateId},
    service::IncomingMessage,
    store::clients::TelegramProfile,
};

/// The fields of a message kept when teloxide cannot read it whole: those Switchboard uses.
const KEPT_FIELDS: &[&str] = &[
    "message_id",
    "date",
    "chat",
    "from",
    "text",
    "caption",
    "photo",
    "document",
    "sticker",
    "voice",
    "video",
    "audio",
    "location",
    "contact",
];
/// The fields of a message kept when even those cannot be read: its text alone.
const TEXT_FIELDS: &[&str] = &["message_id", "date", "chat", "from", "text"];

/// An update as Telegram sent it and as it was read.
#[derive(Debug, Clone)]
pub struct Received {
    /// Its `update_id`; None when even that is missing or unreadable.
    pub id: Option<UpdateId>,
    /// The JSON as it came (kept for a dead letter).
    pub raw: Value,
    /// The update, or why it cannot be read at all (then it is dead-lettered).
    pub read: Result<Update, String>,
}

/// Parses an update from the Bot API's JSON. A message that teloxide cannot read (an entity type
/// or optional field it does not know, a malformed one) or reads without the text it carries is
/// logged at WARN with its update id and the reason, and read again with only the fields
/// Switchboard uses, so its text is kept. An update that cannot be read even so (or has no
/// `update_id`) is logged and kept with the reason, to be dead-lettered.
pub fn parse(raw: Value) -> Received {
    let Some(id) = raw["update_id"]
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
    else {
        tracing::warn!(update = %cut(&raw), "Telegram sent an update without a readable update_id");
        return Received {
            id: None,
            raw,
            read: Err("the update has no readable update_id".to_owned()),
        };
    };
    let received = |read| Received {
        id: Some(UpdateId(i64::from(id))),
        raw: raw.clone(),
        read,
    };
    // Parsed from text, as teloxide's update parser expects (it borrows its keys).
    let parsed = serde_json::from_str::<Update>(&raw.to_string());
    let problem = match parsed {
        Err(error) => error.to_string(),
        Ok(update) => match &update.kind {
            UpdateKind::Error(_) => unreadable_part(&raw),
            UpdateKind::Message(message)
                if message.text().is_none() && raw["message"]["text"].is_string() =>
            {
                "its text was lost among unusual fields".to_owned()
            }
            _ => return received(Ok(update)),
        },
    };
    tracing::warn!(update.id = id, reason = %problem, "a Telegram update could not be read as it is");
    let lenient = raw
        .get("message")
        .and_then(|message| reread(message, KEPT_FIELDS).or_else(|| reread(message, TEXT_FIELDS)));
    match lenient {
        Some(message) => {
            tracing::info!(
                update.id = id,
                "the update was read with its usual fields only"
            );
            received(Ok(Update {
                id: TgUpdateId(id),
                kind: UpdateKind::Message(message),
            }))
        }
        None => {
            tracing::warn!(update.id = id, "the update cannot be read");
            received(Err(problem))
        }
    }
}

/// Why teloxide could not read the update's message (or that it is of a kind it does not know).
fn unreadable_part(raw: &Value) -> String {
    match raw.get("message") {
        Some(message) => match serde_json::from_str::<Message>(&message.to_string()) {
            Err(error) => format!("message: {error}"),
            Ok(_) => "unreadable update".to_owned(),
        },
        None => "an update kind that is not read".to_owned(),
    }
}

/// The message with only `fields`, if teloxide reads it so and keeps its text.
fn reread(message: &Value, fields: &[&str]) -> Option<Message> {
    let Value::Object(all) = message else {
        return None;
    };
    let kept: serde_json::Map<String, Value> = all
        .iter()
        .filter(|(key, _)| fields.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let has_text = kept.get("text").is_some_and(Value::is_string);
    serde_json::from_str::<Message>(&Value::Object(kept).to_string())
        .ok()
        .filter(|parsed| !has_text || parsed.text().is_some())
}

/// The start of a JSON value, for a log line.
fn cut(value: &Value) -> String {
    value.to_string().chars().take(200).collect()
}

/// The customer message in `update`, if it is one we serve: a message in a private chat with the
/// bot. Group chats, channels and other update kinds are not customer conversations.
pub fn incoming(update: &Update) -> Option<IncomingMessage> {
    read_incoming(update).ok().flatten()
}

/// As `incoming`, but a customer message with a value no database column can hold (a user id
/// past the 64-bit range) is an error naming it: such an update can never be stored.
pub fn read_incoming(update: &Update) -> Result<Option<IncomingMessage>, String> {
    let UpdateKind::Message(message) = &update.kind else {
        return Ok(None);
    };
    if !message.chat.is_private() {
        return Ok(None);
    }
    let Some(user) = message.from.as_ref() else {
        return Ok(None);
    };
    if user.is_bot {
        return Ok(None);
    }
    let telegram_id = i64::try_from(user.id.0)
        .map_err(|_| format!("the user id {} is out of range", user.id.0))?;
    Ok(Some(IncomingMessage {
        update_id: UpdateId(i64::from(update.id.0)),
        profile: TelegramProfile {
            telegram_id: TelegramUserId(telegram_id),
            username: user.username.as_deref().map(storable),
            name: storable(&user.full_name()),
            language: user.language_code.as_deref().map(storable),
        },
        chat_id: ChatId(message.chat.id.0),
        message_id: TelegramMessageId(i64::from(message.id.0)),
        text: storable(&text_of(message)),
        sent_at: message.date,
    }))
}

/// A customer's membership in their private chat with the bot changed (`my_chat_member`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// They blocked the bot (status `kicked`).
    Blocked(TelegramUserId),
    /// They unblocked it or started it again (status `member`).
    Returned(TelegramUserId),
}

/// The membership change in `update`, if it is one of a person's private chat with the bot.
pub fn membership(update: &Update) -> Option<Membership> {
    let UpdateKind::MyChatMember(change) = &update.kind else {
        return None;
    };
    if !change.chat.is_private() || change.from.is_bot {
        return None;
    }
    // In a private chat the chat id is the user's id.
    let customer = TelegramUserId(change.chat.id.0);
    match change.new_chat_member.kind {
        ChatMemberKind::Banned(_) => Some(Membership::Blocked(customer)),
        ChatMemberKind::Member(_) => Some(Membership::Returned(customer)),
        _ => None,
    }
}

/// The button press in `update`, if it is one: a callback query from a person.
pub fn press(update: &Update) -> Option<&CallbackQuery> {
    let UpdateKind::CallbackQuery(query) = &update.kind else {
        return None;
    };
    (!query.from.is_bot).then_some(query)
}

/// Customer text as every database can store it: NUL characters (which PostgreSQL refuses in text
/// and which would otherwise stall ingest on that update forever) become U+FFFD.
fn storable(text: &str) -> String {
    text.replace('\0', "\u{FFFD}")
}

/// The text to store for a message; media that the console cannot show yet is named in brackets so
/// the agent knows the customer sent something.
fn text_of(message: &Message) -> String {
    if let Some(text) = message.text() {
        return text.to_owned();
    }
    let kind = if message.photo().is_some() {
        "photo"
    } else if let Some(doc) = message.document() {
        return with_caption(
            message,
            &format!("[document: {}]", doc.file_name.as_deref().unwrap_or("file")),
        );
    } else if message.sticker().is_some() {
        "sticker"
    } else if message.voice().is_some() {
        "voice message"
    } else if message.video().is_some() {
        "video"
    } else if message.audio().is_some() {
        "audio"
    } else if message.location().is_some() {
        "location"
    } else if message.contact().is_some() {
        "contact"
    } else {
        "unsupported message"
    };
    with_caption(message, &format!("[{kind}]"))
}

fn with_caption(message: &Message, label: &str) -> String {
    match message.caption() {
        Some(caption) => format!("{label} {caption}"),
        None => label.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use teloxide::types::Update;

    use super::*;

    fn update(message: serde_json::Value) -> Update {
        // Parsed from text, as the Bot API's answer is: teloxide's update parser expects that.
        serde_json::from_str(&json!({"update_id": 9, "message": message}).to_string())
            .expect("a valid update")
    }

    fn private(extra: serde_json::Value) -> serde_json::Value {
        let mut message = json!({
            "message_id": 5, "date": 1_700_000_000,
            "chat": {"id": 42, "type": "private", "first_name": "Ann"},
            "from": {"id": 42, "is_bot": false, "first_name": "Ann", "last_name": "Lee", "username": "ann"},
        });
        message
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        message
    }

    #[test]
    fn a_private_text_message_becomes_an_incoming_message() {
        let incoming = incoming(&update(private(json!({"text": "hello"})))).unwrap();
        assert_eq!(
            (incoming.update_id, incoming.chat_id, incoming.message_id),
            (UpdateId(9), ChatId(42), TelegramMessageId(5))
        );
        assert_eq!(incoming.text, "hello");
        assert_eq!(incoming.profile.name, "Ann Lee");
        assert_eq!(incoming.profile.username.as_deref(), Some("ann"));
    }

    #[test]
    fn nul_characters_are_replaced_so_every_database_stores_the_text() {
        let incoming = incoming(&update(private(json!({"text": "a\u{0}b"})))).unwrap();
        assert_eq!(incoming.text, "a\u{FFFD}b");
    }

    #[test]
    fn nul_in_names_usernames_and_captions_is_replaced_too() {
        let message = json!({
            "message_id": 5, "date": 1_700_000_000,
            "chat": {"id": 42, "type": "private", "first_name": "A\u{0}n"},
            "from": {"id": 42, "is_bot": false, "first_name": "A\u{0}n", "username": "a\u{0}n"},
            "photo": [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}],
            "caption": "c\u{0}",
        });
        let incoming = incoming(&update(message)).unwrap();
        assert_eq!(incoming.profile.name, "A\u{FFFD}n");
        assert_eq!(incoming.profile.username.as_deref(), Some("a\u{FFFD}n"));
        assert_eq!(incoming.text, "[photo] c\u{FFFD}");
    }

    #[test]
    fn media_is_named_with_its_caption() {
        let photo = json!({"photo": [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}], "caption": "my receipt"});
        assert_eq!(
            incoming(&update(private(photo))).unwrap().text,
            "[photo] my receipt"
        );
    }

    /// Runs `f` and returns what it logged.
    fn logged(f: impl FnOnce()) -> String {
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Captured(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Captured {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().expect("log").extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let log = Captured::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        String::from_utf8_lossy(&log.0.lock().expect("log")).into_owned()
    }

    #[test]
    fn a_message_with_an_unknown_entity_type_is_logged_and_keeps_its_text() {
        let raw = json!({"update_id": 31, "message": private(json!({
            "text": "hello there",
            "entities": [{"type": "a_kind_from_the_future", "offset": 0, "length": 5}],
        }))});
        let mut parsed = None;
        let log = logged(|| parsed = parse(raw).read.ok());
        let incoming = incoming(&parsed.expect("an update")).expect("a customer message");
        assert_eq!(incoming.text, "hello there");
        assert_eq!(incoming.update_id, UpdateId(31));
        assert!(
            log.contains("WARN") && log.contains("update.id=31"),
            "{log}"
        );
    }

    #[test]
    fn a_contact_next_to_text_does_not_lose_the_text() {
        let raw = json!({"update_id": 32, "message": private(json!({
            "text": "call me", "contact": {"phone_number": "+100", "first_name": "Ann"},
        }))});
        let incoming = incoming(&parse(raw).read.expect("an update")).expect("a customer message");
        assert_eq!(incoming.text, "call me");
    }

    #[test]
    fn an_unreadable_update_is_logged_with_its_id_and_reason_and_kept_as_an_error() {
        let raw = json!({"update_id": 33, "message": {"message_id": "x", "chat": "nowhere"}});
        let mut parsed = None;
        let log = logged(|| parsed = Some(parse(raw.clone())));
        let received = parsed.expect("the update, to dead-letter it");
        assert_eq!(received.id, Some(UpdateId(33)));
        assert_eq!(received.raw, raw);
        let reason = received.read.expect_err("it cannot be read");
        assert!(reason.contains("message"), "{reason}");
        assert!(
            log.contains("WARN") && log.contains("update.id=33") && log.contains("reason="),
            "{log}"
        );
    }

    #[test]
    fn an_ordinary_update_is_parsed_without_a_warning() {
        let raw = json!({"update_id": 34, "message": private(json!({"text": "hi"}))});
        let mut parsed = None;
        let log = logged(|| parsed = parse(raw).read.ok());
        assert_eq!(
            incoming(&parsed.expect("an update"))
                .expect("a message")
                .text,
            "hi"
        );
        assert!(log.is_empty(), "{log}");
    }

    #[test]
    fn a_user_id_past_the_64_bit_range_is_an_error_naming_it() {
        let message = json!({"message_id": 5, "date": 1_700_000_000, "text": "hi",
            "chat": {"id": 42, "type": "private", "first_name": "Ann"},
            "from": {"id": u64::MAX, "is_bot": false, "first_name": "Ann"}});
        let error = read_incoming(&update(message)).expect_err("no column holds that id");
        assert!(error.contains("out of range"), "{error}");
    }

    #[test]
    fn an_update_without_an_update_id_is_kept_with_the_reason() {
        let received = parse(json!({"message": {"text": "hi"}}));
        assert_eq!(received.id, None);
        assert!(received.read.is_err());
    }

    fn member_update(status: &str, chat_type: &str) -> Update {
        let user = json!({"id": 42, "is_bot": false, "first_name": "Ann"});
        let raw = json!({"update_id": 40, "my_chat_member": {
            "chat": {"id": 42, "type": chat_type, "first_name": "Ann", "title": "T"},
            "from": user, "date": 1_700_000_000,
            "old_chat_member": {"user": {"id": 7, "is_bot": true, "first_name": "Bot"}, "status": "member"},
            "new_chat_member": {"user": {"id": 7, "is_bot": true, "first_name": "Bot"}, "status": status, "until_date": 0},
        }});
        parse(raw).read.expect("a membership update")
    }

    #[test]
    fn a_kicked_bot_in_a_private_chat_means_the_customer_blocked_it() {
        assert_eq!(
            membership(&member_update("kicked", "private")),
            Some(Membership::Blocked(TelegramUserId(42)))
        );
        assert_eq!(
            membership(&member_update("member", "private")),
            Some(Membership::Returned(TelegramUserId(42)))
        );
        assert_eq!(membership(&member_update("kicked", "group")), None);
    }

    #[test]
    fn group_messages_are_not_customer_conversations() {
        let group = json!({"message_id": 5, "date": 1_700_000_000, "text": "hi",
            "chat": {"id": -100, "type": "group", "title": "G"},
            "from": {"id": 42, "is_bot": false, "first_name": "Ann"}});
        assert!(incoming(&update(group)).is_none());
    }
}
