//! Take over: a supervisor or admin becomes the owner of an accepted ticket in one conditional
//! update; the old owner's console hears of it through the `ticket.updated` (change `taken_over`).

use chrono::Utc;

use super::{Actor, Service, ServiceError, tickets::actionable_ticket};
use crate::{
    domain::{AgentId, ChangeKind, DomainError, TicketId, TicketState},
    store::{self, changes::NewChange},
    views::TicketView,
};

impl Service {
    /// Makes the actor (a supervisor or admin; any department, as they see them all) the owner of
    /// an accepted ticket. `expected_owner`, when given, is the owner the caller saw: the take
    /// over happens only if the ticket is still theirs. Of racing take-overs, accepts, returns,
    /// closes and reassigns exactly one wins; a loser gets 409 with the ticket as it now is.
    pub async fn take_over(
        &self,
        actor: &Actor,
        id: TicketId,
        expected_owner: Option<AgentId>,
    ) -> Result<TicketView, ServiceError> {
        if !actor.agent.role.sees_all_departments() {
            return Err(ServiceError::Forbidden(
                "only a supervisor or an admin may take a ticket over".to_owned(),
            ));
        }
        let me = actor.agent.id;
        let txn = store::begin_write(&self.db).await?;
        let ticket = actionable_ticket(&txn, actor, id).await?;
        let owner = match ticket.state {
            TicketState::Accepted { owner } => owner,
            TicketState::Closed => {
                drop(txn);
                return Err(self.refusal(ticket, DomainError::Closed(id)).await);
            }
            TicketState::Pending => {
                drop(txn);
                return Err(self.not_accepted(ticket).await);
            }
        };
        let from = match expected_owner {
            Some(expected) => ticket
                .place()
                .with_state(TicketState::Accepted { owner: expected }),
            None => ticket.place(),
        };
        if from.state.owner() == Some(me) {
            if owner == me {
                return Ok(store::tickets::view(&txn, ticket).await?);
            }
            drop(txn);
            return Err(self.lost_race(actor, id).await);
        }
        let to = ticket
            .place()
            .with_state(TicketState::Accepted { owner: me });
        let now = Utc::now();
        if !store::tickets::transition(&txn, id, from, to, None, now).await? {
            drop(txn);
            return Err(self.lost_race(actor, id).await);
        }
        let change = NewChange {
            by: Some(me),
            from_agent: from.state.owner(),
            to_agent: Some(me),
            ..NewChange::default()
        };
        let (view, events) = self
            .record_change(&txn, id, ChangeKind::TakenOver, change, now)
            .await?;
        self.commit(txn, events).await?;
        tracing::info!(ticket.id = %id, agent.id = %me, from.agent = ?from.state.owner(), "ticket taken over");
        Ok(view)
    }

    /// The refusal to take over a Pending ticket (accept it instead), with the ticket as it is.
    async fn not_accepted(&self, ticket: crate::domain::Ticket) -> ServiceError {
        let id = ticket.id;
        match store::tickets::view(&self.db, ticket).await {
            Ok(view) => ServiceError::Stale {
                message: format!("ticket #{id} is pending: accept it instead of taking it over"),
                ticket: Box::new(view),
            },
            Err(error) => error.into(),
        }
    }
}
