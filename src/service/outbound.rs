//! Agents' outbound messages: text replies (signed with the department's signature) and files,
//! each optionally quoting a customer message, stored and queued in one transaction so the outbox
//! delivers them after a restart too.

use super::{Actor, Service, ServiceError, record_message_event, tickets::actionable_ticket};
use crate::{
    domain::{self, Author, Direction, MessageId, MessageText, TicketId, upload},
    hub::Event,
    store::{self, messages::NewMessage, outbound_files::FileKind},
    views::MessageView,
};

/// A file an agent uploads, as it arrived.
#[derive(Debug)]
pub struct Upload {
    /// The name the client gave (only its last path part is kept).
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// A caption (may be empty).
    pub caption: String,
}

/// What an agent sends.
pub(super) enum AgentMessage<'a> {
    Text(&'a str),
    File(Upload),
}

impl Service {
    /// Stores an uploaded file and queues it for Telegram as a photo (PNG, JPEG or WebP by its
    /// bytes) or a document, with its caption, quoting `reply_to` when given. Refuses a file over
    /// its size limit, and any upload while the files waiting for Telegram fill their cap.
    pub async fn upload(
        &self,
        actor: &Actor,
        id: TicketId,
        upload: Upload,
        reply_to: Option<MessageId>,
    ) -> Result<MessageView, ServiceError> {
        let photo = upload::is_photo(&upload.bytes);
        let limit = if photo {
            self.limits.upload_photo_max
        } else {
            self.limits.upload_document_max
        };
        if upload.bytes.len() > limit {
            return Err(too_large(photo, limit));
        }
        if upload.bytes.is_empty() {
            return Err(ServiceError::Invalid("the file is empty".to_owned()));
        }
        self.queue_agent_message(actor, id, AgentMessage::File(upload), reply_to)
            .await
    }

    /// The largest upload accepted at all (a document's limit, or a photo's if larger).
    pub fn upload_max(&self) -> usize {
        self.limits
            .upload_document_max
            .max(self.limits.upload_photo_max)
    }

    pub(super) async fn queue_agent_message(
        &self,
        actor: &Actor,
        id: TicketId,
        message: AgentMessage<'_>,
        reply_to: Option<MessageId>,
    ) -> Result<MessageView, ServiceError> {
        let txn = store::begin_write(&self.db).await?;
        let ticket = actionable_ticket(&txn, actor, id).await?;
        domain::check_reply(&ticket, actor.agent.id)?;
        if let Some(quoted) = reply_to {
            let found = store::messages::find(&txn, quoted).await?;
            if !found.is_some_and(|m| m.ticket_id == id && m.direction == Direction::In) {
                return Err(ServiceError::Invalid(format!(
                    "reply_to {quoted} is not a customer message of this ticket"
                )));
            }
        }
        let view = store::tickets::view(&txn, ticket).await?;
        let now = self.clock.now();
        let (text, file) = match message {
            AgentMessage::Text(text) => {
                let department = store::departments::find(&txn, view.department.id).await?;
                let signature = department.and_then(|d| d.signature);
                let signed = domain::signed(text, signature.as_deref());
                (MessageText::parse(&signed)?.into_string(), None)
            }
            AgentMessage::File(upload) => {
                let caption = domain::upload::caption(&upload.caption)?;
                let pending = store::outbound_files::pending_bytes(&txn).await?;
                let pending = usize::try_from(pending).unwrap_or(usize::MAX);
                if pending.saturating_add(upload.bytes.len()) > self.limits.upload_pending_max {
                    return Err(ServiceError::TooLarge(
                        "too many files are waiting for Telegram; try again shortly".to_owned(),
                    ));
                }
                (caption, Some(upload))
            }
        };
        let mut new = NewMessage::outbound(
            id,
            Author::Agent(actor.agent.id),
            view.client.telegram_id.private_chat(),
            &text,
            now,
        );
        new.out_reply_to = reply_to;
        let message = store::messages::insert(&txn, new).await?;
        if let Some(upload) = file {
            let kind = if domain::upload::is_photo(&upload.bytes) {
                FileKind::Photo
            } else {
                FileKind::Document
            };
            let name = domain::upload::file_name(&upload.file_name);
            store::outbound_files::insert(&txn, message.id, kind, &name, upload.bytes, now).await?;
        }
        store::waiting::agent_replied(&txn, id, now).await?;
        let (message, event) = record_message_event(
            &txn,
            view.department.id,
            message,
            &view.client.name,
            |message| Event::MessageCreated { message },
        )
        .await?;
        self.commit(txn, vec![event]).await?;
        self.outbox.wake();
        Ok(message)
    }
}

fn too_large(photo: bool, limit: usize) -> ServiceError {
    let what = if photo { "a photo" } else { "a file" };
    ServiceError::TooLarge(format!(
        "{what} may have at most {limit} bytes ({:.1} MB)",
        limit as f64 / 1_000_000.0
    ))
}
