//! A customer edited a message: the stored message takes the new text (keeping the one it had)
//! and consoles see it change live.

use chrono::{DateTime, Utc};

use super::{Service, ServiceError, record_message_event};
use crate::{
    domain::{ChatId, Direction, Media, TelegramMessageId, UpdateId},
    hub::Event,
    store,
};

/// A customer's edit as the Telegram front door hands it over (`edited_message`).
#[derive(Debug, Clone)]
pub struct IncomingEdit {
    pub update_id: UpdateId,
    pub chat_id: ChatId,
    /// The Telegram id of the message edited.
    pub message_id: TelegramMessageId,
    /// The new text (or caption).
    pub text: String,
    /// The message's media as it now is.
    pub media: Option<Media>,
    /// When Telegram says it was edited; now when it does not say.
    pub edited_at: Option<DateTime<Utc>>,
}

impl Service {
    /// Applies a customer's edit exactly once per Telegram update: the message's text changes,
    /// its earlier text is kept, and `message.updated` (with `edited_at`) goes out. An edit of a
    /// message Switchboard never stored changes nothing. Returns whether a message changed.
    pub async fn ingest_edit(&self, edit: &IncomingEdit) -> Result<bool, ServiceError> {
        let txn = store::begin_write(&self.db).await?;
        if !store::updates::record(&txn, edit.update_id).await? {
            return Ok(false);
        }
        let found = store::message_edits::find_by_telegram_id(&txn, edit.chat_id, edit.message_id)
            .await?
            .filter(|m| m.direction == Direction::In);
        let Some(message) = found else {
            tracing::info!(chat.id = edit.chat_id.0, "an edit of a message not stored");
            self.commit(txn, Vec::new()).await?;
            return Ok(false);
        };
        let ticket = store::tickets::find(&txn, message.ticket_id)
            .await?
            .ok_or_else(|| ServiceError::bug(format!("message {} has no ticket", message.id)))?;
        let ticket = store::tickets::view(&txn, ticket).await?;
        let at = edit.edited_at.unwrap_or_else(Utc::now);
        let edited =
            store::message_edits::record_edit(&txn, message, &edit.text, edit.media.clone(), at)
                .await?;
        let (_, event) = record_message_event(
            &txn,
            ticket.department.id,
            edited,
            &ticket.client.name,
            |message| Event::MessageUpdated { message },
        )
        .await?;
        self.commit(txn, vec![event]).await?;
        Ok(true)
    }
}
