//! Turning a Telegram update into what the service ingests.

use teloxide::types::{Message, Update, UpdateKind};

use crate::{service::IncomingMessage, store::clients::TelegramProfile};

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
        update_id: i64::from(update.id.0),
        profile: TelegramProfile {
            telegram_id: i64::try_from(user.id.0).ok()?,
            username: user.username.clone(),
            name: user.full_name(),
            language: user.language_code.clone(),
        },
        chat_id: message.chat.id.0,
        message_id: i64::from(message.id.0),
        text: text_of(message),
        sent_at: message.date,
    })
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
