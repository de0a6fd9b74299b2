//! Turning a Telegram update into what the service ingests.

use serde_json::Value;
use teloxide::types::{
    CallbackQuery, ChatMemberKind, Message, Update, UpdateId as TgUpdateId, UpdateKind,
};

use super::media::media_of;

use crate::{
    domain::{ChatId, TelegramMessageId, TelegramUserId, UpdateId},
    service::{IncomingEdit, IncomingMessage},
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
    "video_note",
    "animation",
    "venue",
    "media_group_id",
    "reply_to_message",
    "edit_date",
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
        media: media_of(message),
        media_group_id: message
            .media_group_id()
            .map(|group| group.0.chars().take(64).collect()),
        reply_to: message
            .reply_to_message()
            .map(|quoted| TelegramMessageId(i64::from(quoted.id.0))),
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

/// The customer's edit in `update`, if it is one: an edited message in a private chat with the
/// bot, with its new text (or caption) and media.
pub fn read_edit(update: &Update) -> Option<IncomingEdit> {
    let UpdateKind::EditedMessage(message) = &update.kind else {
        return None;
    };
    if !message.chat.is_private() || message.from.as_ref().is_none_or(|user| user.is_bot) {
        return None;
    }
    Some(IncomingEdit {
        update_id: UpdateId(i64::from(update.id.0)),
        chat_id: ChatId(message.chat.id.0),
        message_id: TelegramMessageId(i64::from(message.id.0)),
        text: storable(&text_of(message)),
        media: media_of(message),
        edited_at: message.edit_date().copied(),
    })
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

/// The text to store for a message: its text, or a media message's caption (empty without one;
/// the media is kept beside it).
fn text_of(message: &Message) -> String {
    message
        .text()
        .or_else(|| message.caption())
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use teloxide::types::Update;

    use super::*;
    use crate::domain::MediaKind;

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
        assert_eq!(incoming.text, "c\u{FFFD}");
    }

    #[test]
    fn a_photo_keeps_its_largest_size_and_its_caption_is_the_text() {
        let photo = json!({"photo": [
            {"file_id": "small", "file_unique_id": "us", "width": 90, "height": 60, "file_size": 900},
            {"file_id": "large", "file_unique_id": "ul", "width": 1280, "height": 960, "file_size": 99000},
            {"file_id": "medium", "file_unique_id": "um", "width": 320, "height": 240, "file_size": 9000},
        ], "caption": "my receipt", "media_group_id": "album-1"});
        let incoming = incoming(&update(private(photo))).unwrap();
        assert_eq!(incoming.text, "my receipt");
        assert_eq!(incoming.media_group_id.as_deref(), Some("album-1"));
        let media = incoming.media.expect("the photo");
        assert_eq!(media.kind, Some(MediaKind::Photo));
        assert_eq!(media.file_id.as_deref(), Some("large"));
        assert_eq!(
            (media.width, media.height, media.file_size),
            (Some(1280), Some(960), Some(99000))
        );
    }

    #[test]
    fn a_venue_keeps_its_place_and_a_contact_its_name_and_phone() {
        let venue = json!({"venue": {"location": {"latitude": 52.5, "longitude": 13.4},
            "title": "Cafe", "address": "Main St 1"},
            "location": {"latitude": 52.5, "longitude": 13.4}});
        let media = incoming(&update(private(venue))).unwrap().media.unwrap();
        assert_eq!(media.kind, Some(MediaKind::Venue));
        assert_eq!((media.latitude, media.longitude), (Some(52.5), Some(13.4)));
        assert_eq!(media.address.as_deref(), Some("Main St 1"));
        let contact =
            json!({"contact": {"phone_number": "+100", "first_name": "Bo", "last_name": "Ray"}});
        let media = incoming(&update(private(contact))).unwrap().media.unwrap();
        assert_eq!(media.contact_name.as_deref(), Some("Bo Ray"));
        assert_eq!(media.phone_number.as_deref(), Some("+100"));
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
