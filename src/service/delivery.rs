//! Outbox bookkeeping: which outbound messages wait, claiming one, and recording how Telegram
//! answered, with a `message.updated` event so the operator sees it.

use super::{Service, ServiceError, record_message_event};
use crate::{
    domain::{ChatId, MessageId, TelegramMessageId},
    hub::Event,
    store::{self, outbound_files::FileKind},
};

/// An outbound message claimed for delivery.
#[derive(Debug, Clone)]
pub struct Outbound {
    pub id: MessageId,
    pub chat_id: ChatId,
    pub text: String,
    /// An inline keyboard to send with it (Bot API `reply_markup` JSON).
    pub reply_markup: Option<String>,
    /// The Telegram message it replies to (Bot API `reply_parameters`).
    pub reply_to: Option<TelegramMessageId>,
    /// The file it carries (`text` is then its caption).
    pub file: Option<OutboundFile>,
}

/// A file to send with sendPhoto or sendDocument.
#[derive(Debug, Clone)]
pub struct OutboundFile {
    pub kind: FileKind,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// How a delivery attempt ended.
#[derive(Clone, Copy)]
enum Delivery<'a> {
    Sent(TelegramMessageId),
    Failed(&'a str),
    Retry(&'a str),
}

impl Service {
    /// Outbound messages waiting for delivery, oldest first.
    pub async fn queued_messages(
        &self,
        limit: u64,
    ) -> Result<Vec<(MessageId, ChatId)>, ServiceError> {
        Ok(store::messages::queued_ids(&self.db, limit, chrono::Utc::now()).await?)
    }

    /// Claims a queued message; None if another worker (or instance) has it.
    pub async fn claim_outbound(&self, id: MessageId) -> Result<Option<Outbound>, ServiceError> {
        if !store::messages::claim(&self.db, id, chrono::Utc::now()).await? {
            return Ok(None);
        }
        let message = store::messages::find(&self.db, id)
            .await?
            .ok_or_else(|| ServiceError::bug(format!("claimed message {id} vanished")))?;
        let reply_to = match message.out_reply_to {
            Some(quoted) => store::messages::find(&self.db, quoted)
                .await?
                .and_then(|m| m.telegram_message_id),
            None => None,
        };
        let file = match store::outbound_files::find(&self.db, id).await? {
            Some(file) => match file.bytes {
                Some(bytes) => Some(OutboundFile {
                    kind: FileKind::from_stored(&file.kind),
                    name: file.file_name,
                    bytes,
                }),
                None => {
                    // Only a sent or failed message loses its bytes; never send its caption alone.
                    self.record_delivery(id, Delivery::Failed("the file is no longer kept"))
                        .await?;
                    return Ok(None);
                }
            },
            None => None,
        };
        Ok(Some(Outbound {
            id,
            chat_id: message.telegram_chat_id,
            text: message.text,
            reply_markup: message.reply_markup,
            reply_to,
            file,
        }))
    }

    /// Puts a claimed message back in the queue to try again later, noting why.
    pub async fn retry_outbound(&self, id: MessageId, note: &str) -> Result<(), ServiceError> {
        self.record_delivery(id, Delivery::Retry(note)).await
    }

    /// Records that Telegram took the message.
    pub async fn outbound_sent(
        &self,
        id: MessageId,
        telegram_message_id: TelegramMessageId,
    ) -> Result<(), ServiceError> {
        self.record_delivery(id, Delivery::Sent(telegram_message_id))
            .await
    }

    /// Records that the message cannot be delivered, and why.
    pub async fn outbound_failed(&self, id: MessageId, reason: &str) -> Result<(), ServiceError> {
        self.record_delivery(id, Delivery::Failed(reason)).await
    }

    async fn record_delivery(
        &self,
        id: MessageId,
        outcome: Delivery<'_>,
    ) -> Result<(), ServiceError> {
        let txn = store::begin_write(&self.db).await?;
        let changed = match outcome {
            Delivery::Sent(telegram_id) => {
                store::messages::mark_sent(&txn, id, telegram_id).await?
            }
            Delivery::Failed(reason) => store::messages::mark_failed(&txn, id, reason).await?,
            Delivery::Retry(note) => {
                // While Telegram stays down every retry says the same: tell the consoles once.
                let said_before = store::messages::find(&txn, id)
                    .await?
                    .is_some_and(|m| m.delivery_error.as_deref() == Some(note));
                let requeued = store::messages::requeue(&txn, id, note).await?;
                if requeued && said_before {
                    txn.commit().await?;
                    return Ok(());
                }
                requeued
            }
        };
        if !changed {
            return Ok(());
        }
        if matches!(outcome, Delivery::Sent(_) | Delivery::Failed(_)) {
            store::outbound_files::drop_bytes(&txn, id).await?;
        }
        let message = store::messages::find(&txn, id)
            .await?
            .ok_or_else(|| ServiceError::bug(format!("delivered message {id} vanished")))?;
        let ticket = store::tickets::find(&txn, message.ticket_id)
            .await?
            .ok_or_else(|| ServiceError::bug(format!("message {id} has no ticket")))?;
        let (_, event) = record_message_event(&txn, ticket.department, message, "", |message| {
            Event::MessageUpdated { message }
        })
        .await?;
        self.commit(txn, vec![event]).await?;
        Ok(())
    }
}
