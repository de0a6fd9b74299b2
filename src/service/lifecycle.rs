//! After Accept: close a ticket with a reason, or return it to its department's queue. Each is one
//! conditional update that the database decides; the loser of a race gets the ticket as it now is.

use chrono::Utc;

use crate::texts::Text;

use super::{
    Actor, Service, ServiceError, record_customer_notice, record_event, record_ticket_updated,
    tickets::{actionable_ticket, passed_elsewhere, visible_ticket},
};
use crate::{
    domain::{self, ChangeKind, CloseReason, DomainError, Ticket, TicketId, TicketState},
    hub::Event,
    store::{self, changes::NewChange, tickets::Closing},
    views::TicketView,
};

impl Service {
    /// Closes a ticket with a reason and an optional comment, and tells the customer. The owner may
    /// close it; supervisors and admins may close any ticket, Pending ones too.
    pub async fn close(
        &self,
        actor: &Actor,
        id: TicketId,
        reason: CloseReason,
        comment: Option<&str>,
    ) -> Result<TicketView, ServiceError> {
        let comment = domain::comment(comment)?;
        let txn = store::begin_write(&self.db).await?;
        let ticket = actionable_ticket(&txn, actor, id).await?;
        if let Err(refusal) = domain::check_close(&ticket, actor.agent.id, actor.agent.role) {
            drop(txn);
            return Err(self.refusal(ticket, refusal).await);
        }
        let now = self.clock.now();
        let closing = Closing {
            reason,
            comment: comment.clone(),
        };
        let moved = store::tickets::transition(
            &txn,
            id,
            ticket.place(),
            ticket.place().with_state(TicketState::Closed),
            Some(closing),
            now,
        )
        .await?;
        if !moved {
            drop(txn);
            return Err(self.lost_race(actor, id).await);
        }
        let change = NewChange {
            by: Some(actor.agent.id),
            from_agent: ticket.state.owner(),
            reason: Some(reason),
            note: comment,
            ..NewChange::default()
        };
        let (view, mut events) = self
            .record_change(&txn, id, ChangeKind::Closed, change, now)
            .await?;
        let number = id.to_string();
        let bye = [("number", number.as_str())];
        events
            .push(record_customer_notice(&txn, &self.texts, &view, Text::Closed, &bye, now).await?);
        self.after_close(&txn, &view, ticket.state.owner(), now, &mut events)
            .await?;
        self.commit(txn, events).await?;
        self.outbox.wake();
        tracing::info!(ticket.id = %id, agent.id = %actor.agent.id, ?reason, "ticket closed");
        Ok(view)
    }

    /// Puts an accepted ticket back in its department's queue as Pending (its agents are alerted
    /// again). The owner may; supervisors and admins may for any ticket.
    pub async fn return_to_queue(
        &self,
        actor: &Actor,
        id: TicketId,
    ) -> Result<TicketView, ServiceError> {
        let txn = store::begin_write(&self.db).await?;
        let ticket = actionable_ticket(&txn, actor, id).await?;
        if let Err(refusal) = domain::check_return(&ticket, actor.agent.id, actor.agent.role) {
            drop(txn);
            return Err(self.refusal(ticket, refusal).await);
        }
        let now = self.clock.now();
        let moved = store::tickets::transition(
            &txn,
            id,
            ticket.place(),
            ticket.place().with_state(TicketState::Pending),
            None,
            now,
        )
        .await?;
        if !moved {
            drop(txn);
            return Err(self.lost_race(actor, id).await);
        }
        let change = NewChange {
            by: Some(actor.agent.id),
            from_agent: ticket.state.owner(),
            to_department: Some(ticket.department),
            ..NewChange::default()
        };
        let (view, events) = self
            .record_change(&txn, id, ChangeKind::Returned, change, now)
            .await?;
        self.commit(txn, events).await?;
        tracing::info!(ticket.id = %id, agent.id = %actor.agent.id, "ticket returned to its queue");
        Ok(view)
    }

    /// A page of the timeline of a ticket the actor may see, oldest first, and the change the
    /// next page continues after when more remain.
    pub async fn timeline(
        &self,
        actor: &Actor,
        id: TicketId,
        page: store::paging::Page<crate::domain::ChangeId>,
    ) -> Result<
        (
            Vec<crate::views::ChangeView>,
            Option<crate::domain::ChangeId>,
        ),
        ServiceError,
    > {
        visible_ticket(&self.db, actor, id).await?;
        let (rows, next) = store::changes::for_ticket(&self.db, id, page).await?;
        Ok((store::changes::views(&self.db, rows).await?, next))
    }

    /// Records a change that just happened to ticket `id` and its `ticket.updated` event (in the
    /// ticket's department now); when the change moved it out of `change.from_department`, also a
    /// `ticket.removed` for the consoles that saw it there and cannot see it now. Returns the
    /// ticket as it now is and the events to publish.
    pub(super) async fn record_change(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        id: TicketId,
        kind: ChangeKind,
        change: NewChange,
        now: chrono::DateTime<Utc>,
    ) -> Result<(TicketView, Vec<super::NewEvent>), ServiceError> {
        let moved_from = change.from_department;
        let row = store::changes::insert(txn, id, kind, change, now).await?;
        let change = store::changes::views(txn, vec![row]).await?.pop();
        let ticket = store::tickets::find(txn, id)
            .await?
            .ok_or_else(|| ServiceError::bug(format!("ticket {id} vanished while changed")))?;
        let view = store::tickets::view(txn, ticket).await?;
        let mut events = vec![record_ticket_updated(&view, change)?];
        if let Some(old) = moved_from.filter(|old| *old != view.department.id) {
            let removed = Event::TicketRemoved {
                ticket_id: id,
                department_id: view.department.id,
            };
            events.push(record_event(old, id, removed)?);
        }
        Ok((view, events))
    }

    /// A rule's refusal; one that is about the ticket's state (closed, already pending) carries
    /// the ticket as it is, so the console can show it.
    pub(super) async fn refusal(&self, ticket: Ticket, refusal: DomainError) -> ServiceError {
        match refusal {
            DomainError::Closed(_) | DomainError::AlreadyPending(_) => {
                match store::tickets::view(&self.db, ticket).await {
                    Ok(view) => ServiceError::Stale {
                        message: refusal.to_string(),
                        ticket: Box::new(view),
                    },
                    Err(error) => error.into(),
                }
            }
            other => other.into(),
        }
    }

    /// The answer to a change that lost its race: 409 with the ticket as the winner left it, or,
    /// when the winner passed it to a department the actor cannot see, 409 without it.
    pub(super) async fn lost_race(&self, actor: &Actor, id: TicketId) -> ServiceError {
        let ticket = match store::tickets::find(&self.db, id).await {
            Ok(Some(ticket)) => ticket,
            Ok(None) => return ServiceError::bug(format!("ticket {id} vanished in a race")),
            Err(error) => return error.into(),
        };
        if !actor.scope.allows(ticket.department) {
            return ServiceError::Conflict(passed_elsewhere(id));
        }
        match store::tickets::view(&self.db, ticket).await {
            Ok(view) => ServiceError::Stale {
                message: format!("ticket #{id} was changed by someone else meanwhile"),
                ticket: Box::new(view),
            },
            Err(error) => error.into(),
        }
    }
}
