//! Outbox bookkeeping: claiming the next messages in a batch, and recording how Telegram
//! answered (the sent ones in a batch), with a `message.updated` event so the operator sees it.

use super::{Service, ServiceError, record_event, record_message_event};
use crate::{
    domain::{ChatId, MessageId, TelegramMessageId, TicketId},
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

/// A message Telegram took.
#[derive(Debug, Clone, Copy)]
pub struct SentOutbound {
    pub id: MessageId,
    pub telegram_id: TelegramMessageId,
    /// Whether it carried a file (whose bytes are then dropped).
    pub had_file: bool,
}

/// How a delivery attempt ended.
#[derive(Clone, Copy)]
enum Delivery<'a> {
    Sent(TelegramMessageId),
    Failed(&'a str),
    Retry(&'a str),
}

impl Service {
    /// Claims the next message of up to `limit` chats, oldest first, with what it takes to send
    /// them (see `store::outbox::claim_next`: never two messages of one chat in flight, never
    /// one message claimed by two workers or instances).
    pub async fn claim_outbound_batch(&self, limit: u64) -> Result<Vec<Outbound>, ServiceError> {
        let claimed = store::outbox::claim_next(&self.db, limit, chrono::Utc::now()).await?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let quoted = store::outbox::telegram_ids(
            &self.db,
            claimed.iter().filter_map(|m| m.out_reply_to).collect(),
        )
        .await?;
        let mut files =
            store::outbox::files(&self.db, claimed.iter().map(|m| m.id).collect()).await?;
        let mut batch = Vec::with_capacity(claimed.len());
        for message in claimed {
            let file = match files.remove(&message.id) {
                Some(file) => match file.bytes {
                    Some(bytes) => Some(OutboundFile {
                        kind: FileKind::from_stored(&file.kind),
                        name: file.file_name,
                        bytes,
                    }),
                    None => {
                        // Only a sent or failed message loses its bytes; never send its caption
                        // alone.
                        self.record_delivery(
                            message.id,
                            Delivery::Failed("the file is no longer kept"),
                        )
                        .await?;
                        continue;
                    }
                },
                None => None,
            };
            batch.push(Outbound {
                id: message.id,
                chat_id: message.telegram_chat_id,
                text: message.text,
                reply_markup: message.reply_markup,
                reply_to: message.out_reply_to.and_then(|q| quoted.get(&q).copied()),
                file,
            });
        }
        Ok(batch)
    }

    /// Records that Telegram took these messages, in one transaction: their state in one
    /// statement, their files' bytes dropped, and one `message.updated` each in one insert.
    pub async fn outbound_sent_batch(&self, sent: &[SentOutbound]) -> Result<(), ServiceError> {
        if sent.is_empty() {
            return Ok(());
        }
        let pairs: Vec<(MessageId, TelegramMessageId)> =
            sent.iter().map(|s| (s.id, s.telegram_id)).collect();
        let txn = store::begin_write(&self.db).await?;
        let rows = store::outbox::mark_sent(&txn, &pairs).await?;
        let files: Vec<MessageId> = sent
            .iter()
            .filter(|s| s.had_file && rows.iter().any(|m| m.id == s.id))
            .map(|s| s.id)
            .collect();
        store::outbox::drop_bytes(&txn, files).await?;
        let mut tickets: Vec<TicketId> = rows.iter().map(|m| m.ticket_id).collect();
        tickets.sort_unstable();
        tickets.dedup();
        let departments = store::outbox::departments(&txn, tickets).await?;
        let views = store::messages::views(&txn, rows, "").await?;
        let events = views
            .into_iter()
            .map(|view| {
                let department = departments.get(&view.ticket_id).copied().ok_or_else(|| {
                    ServiceError::bug(format!("message {} has no ticket", view.id))
                })?;
                Ok(record_event(
                    department,
                    view.ticket_id,
                    Event::MessageUpdated { message: view },
                )?)
            })
            .collect::<Result<Vec<_>, ServiceError>>()?;
        self.commit(txn, events).await?;
        Ok(())
    }

    /// Puts claimed messages that were not tried back in the queue, unchanged.
    pub async fn release_outbound(&self, ids: Vec<MessageId>) -> Result<(), ServiceError> {
        Ok(store::outbox::release(&self.db, ids).await?)
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
