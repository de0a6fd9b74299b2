//! A customer's message arrives: stored first, on their open ticket or a new pending one.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{Service, ServiceError, record_event};
use crate::{
    domain::Direction,
    store::{
        self,
        clients::TelegramProfile,
        messages::{Author, NewMessage},
    },
};

/// A customer's message as the Telegram front door hands it over.
#[derive(Debug, Clone)]
pub struct IncomingMessage {
    pub update_id: i64,
    pub profile: TelegramProfile,
    pub chat_id: i64,
    pub message_id: i64,
    pub text: String,
    pub sent_at: DateTime<Utc>,
}

/// What ingest did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestOutcome {
    /// The update was ingested before; nothing changed.
    Duplicate,
    /// The message opened this new pending ticket.
    NewTicket(i64),
    /// The message joined this open ticket.
    Appended(i64),
}

/// How often ingest retries after losing a race the database decided (two instances creating the
/// same client or ticket at once).
const ATTEMPTS: usize = 3;

impl Service {
    /// Stores a customer's message exactly once per Telegram update. The first message of a
    /// customer without an open ticket opens a pending one in the default department and queues an
    /// acknowledgement naming its number.
    pub async fn ingest(&self, message: &IncomingMessage) -> Result<IngestOutcome, ServiceError> {
        let mut attempt = 1;
        loop {
            match self.try_ingest(message).await {
                Err(ServiceError::Db(e))
                    if store::is_unique_violation(&e) && attempt < ATTEMPTS =>
                {
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn try_ingest(&self, incoming: &IncomingMessage) -> Result<IngestOutcome, ServiceError> {
        let txn = store::begin_write(&self.db).await?;
        if !store::updates::record(&txn, incoming.update_id).await? {
            return Ok(IngestOutcome::Duplicate);
        }
        let now = Utc::now();
        let client = store::clients::upsert(&txn, &incoming.profile).await?;
        let (ticket, is_new) = match store::tickets::find_open_for_client(&txn, client.id).await? {
            Some(ticket) => {
                store::tickets::touch(&txn, ticket.id, now).await?;
                (ticket, false)
            }
            None => (
                store::tickets::insert_pending(&txn, client.id, self.default_department, now)
                    .await?,
                true,
            ),
        };
        let mut events = Vec::new();
        if is_new {
            let view = store::tickets::view(&txn, ticket.clone()).await?;
            events.push(
                record_event(
                    &txn,
                    &self.hub,
                    ticket.department_id,
                    ticket.id,
                    "ticket.created",
                    &json!({"type": "ticket.created", "ticket": view}),
                )
                .await?,
            );
        }
        let mut stored = vec![
            store::messages::insert(
                &txn,
                NewMessage {
                    ticket_id: ticket.id,
                    direction: Direction::In,
                    author: Author::Customer,
                    text: &incoming.text,
                    telegram_chat_id: incoming.chat_id,
                    telegram_message_id: Some(incoming.message_id),
                    created_at: now,
                },
            )
            .await?,
        ];
        if is_new {
            let ack = format!(
                "Thanks for your message! Your request is ticket #{}. An agent will reply here shortly.",
                ticket.id
            );
            stored.push(
                store::messages::insert(
                    &txn,
                    NewMessage {
                        ticket_id: ticket.id,
                        direction: Direction::Out,
                        author: Author::System,
                        text: &ack,
                        telegram_chat_id: incoming.chat_id,
                        telegram_message_id: None,
                        created_at: now,
                    },
                )
                .await?,
            );
        }
        for view in store::messages::views(&txn, stored, &client.name).await? {
            events.push(
                record_event(
                    &txn,
                    &self.hub,
                    ticket.department_id,
                    ticket.id,
                    "message.created",
                    &json!({"type": "message.created", "message": view}),
                )
                .await?,
            );
        }
        txn.commit().await?;
        self.publish(&events);
        if is_new {
            self.outbox.wake();
            Ok(IngestOutcome::NewTicket(ticket.id))
        } else {
            Ok(IngestOutcome::Appended(ticket.id))
        }
    }
}
