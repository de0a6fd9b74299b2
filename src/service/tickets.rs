//! The console's ticket use-cases: queues, one ticket, its conversation, accept and reply.

use sea_orm::ConnectionTrait;

use super::{Actor, Service, ServiceError, outbound::AgentMessage};
use crate::{
    domain::{
        self, AcceptCheck, AgentId, ChangeKind, DomainError, MessageId, MessageText, Owner, Scope,
        Ticket, TicketId, TicketState, TicketStatus,
    },
    store::{self, changes::NewChange, paging::Page},
    views::{MessageView, TicketView},
};

impl Service {
    /// A page of a queue the actor may see (one status, or every open ticket) after the ticket
    /// `page.after`, and the ticket the next page continues after when more remain. A cursor
    /// naming no ticket is refused.
    pub async fn list_tickets(
        &self,
        actor: &Actor,
        status: Option<TicketStatus>,
        page: Page<TicketId>,
    ) -> Result<(Vec<TicketView>, Option<TicketId>), ServiceError> {
        let after = match page.after {
            None => None,
            Some(id) => Some(
                store::tickets::queue_key(&self.db, status, id)
                    .await?
                    .ok_or_else(|| ServiceError::Invalid(format!("after names no ticket {id}")))?,
            ),
        };
        let page = Page {
            limit: page.limit,
            after,
        };
        let (tickets, next) = store::tickets::list(&self.db, &actor.scope, status, page).await?;
        let views = store::tickets::views(&self.db, tickets).await?;
        let views = super::reading::with_unread(&self.db, actor, views).await?;
        Ok((views, next.map(|key| key.id)))
    }

    /// One ticket the actor may see.
    pub async fn ticket(&self, actor: &Actor, id: TicketId) -> Result<TicketView, ServiceError> {
        let ticket = visible_ticket(&self.db, actor, id).await?;
        let view = store::tickets::view(&self.db, ticket).await?;
        let mut views = super::reading::with_unread(&self.db, actor, vec![view]).await?;
        views
            .pop()
            .ok_or_else(|| ServiceError::bug(format!("ticket {id}: one ticket made no view")))
    }

    /// A page of the conversation of a ticket the actor may see, oldest first, with the cursor of
    /// the older page (None at the first message).
    pub async fn messages(
        &self,
        actor: &Actor,
        id: TicketId,
        page: store::messages::MessagePage,
    ) -> Result<(Vec<MessageView>, Option<MessageId>), ServiceError> {
        let ticket = visible_ticket(&self.db, actor, id).await?;
        let view = store::tickets::view(&self.db, ticket).await?;
        let (messages, older) = store::messages::page(&self.db, id, page).await?;
        let views = store::messages::views(&self.db, messages, &view.client.name).await?;
        Ok((views, older))
    }

    /// Makes the actor the ticket's only owner. Of concurrent accepts exactly one wins, decided by
    /// one conditional update in the database; the others learn who won.
    ///
    /// The ticket is read first without the write lock: when a crowd races for one ticket, most
    /// arrive after the winner committed and are answered from that read ("taken by X") at once.
    /// Only a request that saw the ticket pending takes the write lock, and the conditional update
    /// from the place it saw stays the only arbiter.
    pub async fn accept(&self, actor: &Actor, id: TicketId) -> Result<TicketView, ServiceError> {
        let agent = actor.agent.id;
        let seen = actionable_ticket(&self.db, actor, id).await?;
        match domain::check_accept(&seen, agent)? {
            AcceptCheck::Take => {}
            AcceptCheck::AlreadyMine => return Ok(store::tickets::view(&self.db, seen).await?),
            AcceptCheck::TakenBy(owner) => return Err(already_accepted(&self.db, id, owner).await),
        }
        let txn = store::begin_write(&self.db).await?;
        let now = self.clock.now();
        let accepted = TicketState::Accepted { owner: agent };
        let (from, to) = (seen.place(), seen.place().with_state(accepted));
        if !store::tickets::transition(&txn, id, from, to, None, now).await? {
            // Lost the race: say who won (or that the ticket closed or moved meanwhile).
            drop(txn);
            let ticket = match store::tickets::find(&self.db, id).await? {
                Some(ticket) if actor.scope.allows(ticket.department) => ticket,
                // Passed to a department the agent cannot see (or gone): still a lost race.
                _ => return Err(self.lost_race(actor, id).await),
            };
            return match domain::check_accept(&ticket, agent)? {
                AcceptCheck::TakenBy(owner) => Err(already_accepted(&self.db, id, owner).await),
                AcceptCheck::AlreadyMine => Ok(store::tickets::view(&self.db, ticket).await?),
                // Pending again (accepted and returned meanwhile, or moved within the agent's
                // departments): still a lost race.
                AcceptCheck::Take => Err(self.lost_race(actor, id).await),
            };
        }
        let change = NewChange {
            by: Some(agent),
            to_agent: Some(agent),
            ..NewChange::default()
        };
        let (view, events) = self
            .record_change(&txn, id, ChangeKind::Accepted, change, now)
            .await?;
        self.commit(txn, events).await?;
        tracing::info!(ticket.id = %id, agent.id = %agent, "ticket accepted");
        Ok(view)
    }

    /// Stores the owner's reply (with the department's signature, when it has one) and queues it
    /// for Telegram, quoting the customer message `reply_to` of the same ticket when given. Only
    /// the owner of an accepted ticket may reply.
    pub async fn reply(
        &self,
        actor: &Actor,
        id: TicketId,
        text: &str,
        reply_to: Option<MessageId>,
    ) -> Result<MessageView, ServiceError> {
        MessageText::parse(text)?;
        self.queue_agent_message(actor, id, AgentMessage::Text(text), reply_to)
            .await
    }
}

/// The ticket if it exists and the actor may see it; otherwise not found (never "forbidden", so
/// ids outside one's departments reveal nothing).
pub(super) async fn visible_ticket<C>(
    c: &C,
    actor: &Actor,
    id: TicketId,
) -> Result<Ticket, ServiceError>
where
    C: ConnectionTrait,
{
    match store::tickets::find(c, id).await? {
        Some(ticket) if actor.scope.allows(ticket.department) => Ok(ticket),
        _ => Err(ServiceError::NotFound),
    }
}

/// The ticket an action is about: one the actor may see. One that was passed out of the actor's
/// departments to one they cannot see is a conflict (the action came too late), not "not found";
/// any other ticket they cannot see is not found.
pub(super) async fn actionable_ticket<C>(
    c: &C,
    actor: &Actor,
    id: TicketId,
) -> Result<Ticket, ServiceError>
where
    C: ConnectionTrait,
{
    match store::tickets::find(c, id).await? {
        Some(ticket) if actor.scope.allows(ticket.department) => Ok(ticket),
        Some(_) => match &actor.scope {
            Scope::Departments(mine) if store::changes::left_any(c, id, mine).await? => {
                Err(ServiceError::Conflict(passed_elsewhere(id)))
            }
            _ => Err(ServiceError::NotFound),
        },
        None => Err(ServiceError::NotFound),
    }
}

/// The refusal of an action on a ticket that went to a department the actor cannot see; it names
/// no department and carries no ticket, since the actor may not see it any more.
pub(super) fn passed_elsewhere(id: TicketId) -> String {
    format!("ticket #{id} was passed to another department")
}

/// The refusal naming who owns the ticket.
async fn already_accepted<C>(c: &C, ticket: TicketId, owner: AgentId) -> ServiceError
where
    C: ConnectionTrait,
{
    match store::agents::names(c, vec![owner]).await {
        Ok(mut names) => match names.remove(&owner) {
            Some(name) => DomainError::AlreadyAccepted {
                ticket,
                owner: Owner { id: owner, name },
            }
            .into(),
            None => ServiceError::bug(format!("ticket {ticket}: owner {owner} missing")),
        },
        Err(error) => error.into(),
    }
}

impl Service {
    /// Tickets the actor may see that match a search (History, a client's earlier tickets),
    /// newest first.
    pub async fn search_tickets(
        &self,
        actor: &Actor,
        search: &store::history::TicketSearch,
    ) -> Result<(Vec<TicketView>, Option<TicketId>), ServiceError> {
        let (tickets, next) = store::history::search(&self.db, &actor.scope, search).await?;
        let views = store::tickets::views(&self.db, tickets).await?;
        Ok((
            super::reading::with_unread(&self.db, actor, views).await?,
            next,
        ))
    }
}
