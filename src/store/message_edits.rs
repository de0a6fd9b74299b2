//! What a customer changes after sending: the media and earlier texts kept on a message, finding
//! a message by its Telegram id (to edit it or link a reply to it), and recording an edit.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use super::entity::message;
use crate::{
    domain::{ChatId, Media, TelegramMessageId},
    views::EarlierText,
};

/// The most earlier texts kept per message; older ones are dropped.
pub const MAX_EARLIER_TEXTS: usize = 20;

/// A message's media, read from its column (None when it has none or it cannot be read).
pub fn media_of(m: &message::Model) -> Option<Media> {
    let raw = m.media.as_deref()?;
    match serde_json::from_str(raw) {
        Ok(media) => Some(media),
        Err(error) => {
            tracing::warn!(message.id = %m.id, %error, "a message's media cannot be read");
            None
        }
    }
}

pub(super) fn earlier_texts_of(m: &message::Model) -> Vec<EarlierText> {
    m.earlier_texts
        .as_deref()
        .and_then(|raw| serde_json::from_str(raw).ok())
        .unwrap_or_default()
}

/// The newest stored message of chat `chat` with Telegram id `telegram_id` (a customer's, or one
/// the bot sent).
pub async fn find_by_telegram_id<C>(
    c: &C,
    chat: ChatId,
    telegram_id: TelegramMessageId,
) -> Result<Option<message::Model>, DbErr>
where
    C: ConnectionTrait,
{
    message::Entity::find()
        .filter(message::Column::TelegramChatId.eq(chat))
        .filter(message::Column::TelegramMessageId.eq(telegram_id))
        .order_by_desc(message::Column::Id)
        .one(c)
        .await
}

/// Replaces a customer message's text after an edit, keeping the text it had (the newest
/// `MAX_EARLIER_TEXTS`); returns the message as it now is.
pub async fn record_edit<C>(
    c: &C,
    m: message::Model,
    text: &str,
    media: Option<Media>,
    at: DateTime<Utc>,
) -> Result<message::Model, DbErr>
where
    C: ConnectionTrait,
{
    let mut earlier = earlier_texts_of(&m);
    earlier.push(EarlierText {
        text: m.text.clone(),
        replaced_at: at,
    });
    let drop = earlier.len().saturating_sub(MAX_EARLIER_TEXTS);
    earlier.drain(..drop);
    let earlier = serde_json::to_string(&earlier)
        .map_err(|e| DbErr::Custom(format!("encoding earlier texts: {e}")))?;
    let mut active: message::ActiveModel = m.into();
    active.text = Set(text.to_owned());
    active.edited_at = Set(Some(at));
    active.earlier_texts = Set(Some(earlier));
    if let Some(media) = media {
        active.media =
            Set(Some(serde_json::to_string(&media).map_err(|e| {
                DbErr::Custom(format!("encoding media: {e}"))
            })?));
    }
    active.update(c).await
}
