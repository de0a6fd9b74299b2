//! Unread counts and read markers, and who may show the customer that an agent is typing.

use sea_orm::{ConnectionTrait, DbErr};

use super::{
    Actor, Service, ServiceError,
    tickets::{actionable_ticket, visible_ticket},
};
use crate::{
    domain::{self, ChatId, MessageId, TicketId},
    store,
    views::{ReadView, TicketView},
};

impl Service {
    /// Moves the actor's read marker on a ticket they may see forward to `message` (a message of
    /// that ticket); returns where it stands. Unknown tickets and messages are not found; a
    /// message of another ticket is invalid.
    pub async fn mark_read(
        &self,
        actor: &Actor,
        id: TicketId,
        message: MessageId,
    ) -> Result<ReadView, ServiceError> {
        let agent = actor.agent.id;
        visible_ticket(&self.db, actor, id).await?;
        let stored = store::messages::find(&self.db, message)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if stored.ticket_id != id {
            return Err(ServiceError::Invalid(format!(
                "message {message} is not a message of ticket #{id}"
            )));
        }
        store::unread::mark(&self.db, agent, id, message).await?;
        let message_id = store::unread::marker(&self.db, agent, id)
            .await?
            .unwrap_or(message);
        let unread = store::unread::counts(&self.db, agent, vec![id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        Ok(ReadView {
            ticket_id: id,
            message_id,
            unread,
        })
    }

    /// The customer chat of a ticket the actor owns, to show them the agent is typing. Only the
    /// owner of an accepted ticket may (as for replying).
    pub async fn typing_chat(&self, actor: &Actor, id: TicketId) -> Result<ChatId, ServiceError> {
        let ticket = actionable_ticket(&self.db, actor, id).await?;
        domain::check_reply(&ticket, actor.agent.id)?;
        let view = store::tickets::view(&self.db, ticket).await?;
        Ok(view.client.telegram_id.private_chat())
    }
}

/// Fills in the agent's unread count of each ticket of a page, in one query.
pub(super) async fn with_unread<C>(
    c: &C,
    actor: &Actor,
    mut views: Vec<TicketView>,
) -> Result<Vec<TicketView>, DbErr>
where
    C: ConnectionTrait,
{
    let counts =
        store::unread::counts(c, actor.agent.id, views.iter().map(|t| t.id).collect()).await?;
    for view in &mut views {
        view.unread = Some(counts.get(&view.id).copied().unwrap_or_default());
    }
    Ok(views)
}
