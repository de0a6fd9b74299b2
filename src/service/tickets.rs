//! The console's ticket use-cases: queues, one ticket, its conversation, accept and reply.

use chrono::Utc;
use sea_orm::ConnectionTrait;

use super::{Actor, Service, ServiceError, record_message_event, record_ticket_event};
use crate::{
    domain::{self, MessageText, Owner, TicketStatus},
    store::{
        self,
        entity::ticket,
        messages::{Author, NewMessage},
    },
    views::{MessageView, TicketView},
};

impl Service {
    /// A queue the actor may see: one status, or every open ticket.
    pub async fn list_tickets(
        &self,
        actor: &Actor,
        status: Option<TicketStatus>,
    ) -> Result<Vec<TicketView>, ServiceError> {
        let tickets = store::tickets::list(&self.db, &actor.scope, status).await?;
        Ok(store::tickets::views(&self.db, tickets).await?)
    }

    /// One ticket the actor may see.
    pub async fn ticket(&self, actor: &Actor, id: i64) -> Result<TicketView, ServiceError> {
        let ticket = visible_ticket(&self.db, actor, id).await?;
        Ok(store::tickets::view(&self.db, ticket).await?)
    }

    /// The conversation of a ticket the actor may see, oldest first.
    pub async fn messages(&self, actor: &Actor, id: i64) -> Result<Vec<MessageView>, ServiceError> {
        let ticket = visible_ticket(&self.db, actor, id).await?;
        let view = store::tickets::view(&self.db, ticket).await?;
        let messages = store::messages::for_ticket(&self.db, id).await?;
        Ok(store::messages::views(&self.db, messages, &view.client.name).await?)
    }

    /// Makes the actor the ticket's only owner. Of concurrent accepts exactly one wins, decided by
    /// one conditional update in the database; the others learn who won.
    pub async fn accept(&self, actor: &Actor, id: i64) -> Result<TicketView, ServiceError> {
        let txn = store::begin_write(&self.db).await?;
        let ticket = visible_ticket(&txn, actor, id).await?;
        if !domain::check_accept(
            id,
            status_of(&ticket)?,
            owner_of(&txn, &ticket).await?,
            actor.agent.id,
        )? {
            return Ok(store::tickets::view(&txn, ticket).await?);
        }
        let now = Utc::now();
        if !store::tickets::try_accept(&txn, id, actor.agent.id, now).await? {
            // Lost the race: say who won (or that the ticket closed meanwhile).
            drop(txn);
            let ticket = visible_ticket(&self.db, actor, id).await?;
            domain::check_accept(
                id,
                status_of(&ticket)?,
                owner_of(&self.db, &ticket).await?,
                actor.agent.id,
            )?;
            return Ok(store::tickets::view(&self.db, ticket).await?);
        }
        let ticket = store::tickets::find(&txn, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let view = store::tickets::view(&txn, ticket).await?;
        let event = record_ticket_event(&txn, "ticket.updated", &view).await?;
        self.commit(txn, &[event]).await?;
        tracing::info!(ticket.id = id, agent.id = actor.agent.id, "ticket accepted");
        Ok(view)
    }

    /// Stores the owner's reply and queues it for Telegram. Only the owner of an accepted ticket
    /// may reply.
    pub async fn reply(
        &self,
        actor: &Actor,
        id: i64,
        text: &str,
    ) -> Result<MessageView, ServiceError> {
        let text = MessageText::parse(text)?;
        let txn = store::begin_write(&self.db).await?;
        let ticket = visible_ticket(&txn, actor, id).await?;
        domain::check_reply(id, status_of(&ticket)?, ticket.owner_id, actor.agent.id)?;
        let view = store::tickets::view(&txn, ticket).await?;
        let now = Utc::now();
        let text = NewMessage::outbound(
            id,
            Author::Agent(actor.agent.id),
            view.client.telegram_id,
            text.as_str(),
            now,
        );
        let message = store::messages::insert(&txn, text).await?;
        store::tickets::touch(&txn, id, now).await?;
        let (message, event) = record_message_event(
            &txn,
            view.department.id,
            "message.created",
            message,
            &view.client.name,
        )
        .await?;
        self.commit(txn, &[event]).await?;
        self.outbox.wake();
        Ok(message)
    }
}

/// The ticket if it exists and the actor may see it; otherwise not found (never "forbidden", so
/// ids outside one's departments reveal nothing).
async fn visible_ticket<C>(c: &C, actor: &Actor, id: i64) -> Result<ticket::Model, ServiceError>
where
    C: ConnectionTrait,
{
    match store::tickets::find(c, id).await? {
        Some(ticket) if actor.scope.allows(ticket.department_id) => Ok(ticket),
        _ => Err(ServiceError::NotFound),
    }
}

fn status_of(ticket: &ticket::Model) -> Result<TicketStatus, ServiceError> {
    ticket
        .status
        .parse()
        .map_err(|e: String| ServiceError::Other(anyhow::anyhow!("ticket {}: {e}", ticket.id)))
}

async fn owner_of<C>(c: &C, ticket: &ticket::Model) -> Result<Option<Owner>, ServiceError>
where
    C: ConnectionTrait,
{
    let Some(id) = ticket.owner_id else {
        return Ok(None);
    };
    let name = store::agents::names(c, vec![id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok(Some(Owner { id, name }))
}
