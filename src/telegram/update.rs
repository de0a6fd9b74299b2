//! Turning a Telegram update into what the service ingests.

use teloxide::types::{CallbackQuery, Message, Update, UpdateKind};

use crate::{
    domain::{ChatId, TelegramMessageId, TelegramUserId, UpdateId},
    service::IncomingMessage,
    store::clients::TelegramProfile,
};

/// The customer message in `update`, if it is one we serve: a message in a private chat with the
/// bot. Group chats, channels and other update kinds are not customer conversations.
pub fn incoming(update: &Update) -> Option<IncomingMessage> {
    let UpdateKind::Message(message) = &update.kind else {
        return None;
    };
    if !message.chat.is_private() {
        return None;
    }
    let user = message.from.as_ref()?;
    if user.is_bot {
        return None;
    }
    Some(IncomingMessage {
        update_id: UpdateId(i64::from(update.id.0)),
        profile: TelegramProfile {
            telegram_id: TelegramUserId(i64::try_from(user.id.0).ok()?),
            username: user.username.as_deref().map(storable),
            name: storable(&user.full_name()),
            language: user.language_code.as_deref().map(storable),
        },
        chat_id: ChatId(message.chat.id.0),
        message_id: TelegramMessageId(i64::from(message.id.0)),
        text: storable(&text_of(message)),
        sent_at: message.date,
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
    fn media_is_named_with_its_caption() {
        let photo = json!({"photo": [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}], "caption": "my receipt"});
        assert_eq!(
            incoming(&update(private(photo))).unwrap().text,
            "[photo] my receipt"
        );
    }

    #[test]
    fn group_messages_are_not_customer_conversations() {
        let group = json!({"message_id": 5, "date": 1_700_000_000, "text": "hi",
            "chat": {"id": -100, "type": "group", "title": "G"},
            "from": {"id": 42, "is_bot": false, "first_name": "Ann"}});
        assert!(incoming(&update(group)).is_none());
    }
}
