//! The files customers sent, as the console may fetch them: only an agent who may see the
//! message's ticket learns where the file is kept.

use super::{Actor, Service, ServiceError, tickets::visible_ticket};
use crate::{
    domain::{Media, MessageId},
    store,
};

/// A message's file as the file route serves it.
#[derive(Debug, Clone)]
pub struct FileRef {
    pub message_id: MessageId,
    pub media: Media,
    /// Telegram's id for downloading it.
    pub file_id: String,
}

impl Service {
    /// The file of message `id`, for an actor who may see its ticket. A message out of the
    /// actor's departments, or without a file, is not found.
    pub async fn message_file(
        &self,
        actor: &Actor,
        id: MessageId,
    ) -> Result<FileRef, ServiceError> {
        let message = store::messages::find(&self.db, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        visible_ticket(&self.db, actor, message.ticket_id).await?;
        let media = store::message_edits::media_of(&message).ok_or(ServiceError::NotFound)?;
        let file_id = media.file_id.clone().ok_or(ServiceError::NotFound)?;
        Ok(FileRef {
            message_id: id,
            media,
            file_id,
        })
    }
}
