//! Reassign: pass a ticket to another department (Pending there) or straight to an agent of a
//! department (owned by them at once), with an optional internal note. One conditional update
//! decides it against racing accepts, returns, closes and other reassigns.

use sea_orm::ConnectionTrait;

use crate::texts::Text;

use super::{Actor, Service, ServiceError, record_customer_notice, tickets::actionable_ticket};
use crate::{
    domain::{self, AgentId, Assignee, ChangeKind, DepartmentId, Destination, Place, TicketId},
    store::{self, changes::NewChange},
    views::TicketView,
};

/// A reassign as asked for.
#[derive(Debug, Clone)]
pub struct ReassignInput {
    /// The department the ticket goes to.
    pub department: DepartmentId,
    /// The agent of that department who owns it at once; None leaves it Pending there.
    pub agent: Option<AgentId>,
    /// An internal note for the timeline; never sent to the customer.
    pub note: Option<String>,
    /// Where the caller saw the ticket (the dialog was opened on it); when given, the reassign
    /// happens only if the ticket is still there, so it never overrides a change the caller did
    /// not see.
    pub expected: Option<Place>,
}

impl Service {
    /// Passes a ticket to a department, or to an agent of it, and tells the customer. The owner of
    /// an accepted ticket may; supervisors and admins may for any open ticket.
    pub async fn reassign(
        &self,
        actor: &Actor,
        id: TicketId,
        input: ReassignInput,
    ) -> Result<TicketView, ServiceError> {
        let note = domain::reassign_note(input.note.as_deref())?;
        let txn = store::begin_write(&self.db).await?;
        let ticket = actionable_ticket(&txn, actor, id).await?;
        let (destination, label) = destination(&txn, input.department, input.agent).await?;
        let from = input.expected.unwrap_or(ticket.place());
        let to = match domain::check_reassign(
            id,
            from,
            actor.agent.id,
            actor.agent.role,
            &destination,
        ) {
            Ok(to) => to,
            Err(refusal) => {
                drop(txn);
                return Err(self.refusal(ticket, refusal).await);
            }
        };
        let now = self.clock.now();
        if !store::tickets::transition(&txn, id, from, to, None, now).await? {
            drop(txn);
            return Err(self.lost_race(actor, id).await);
        }
        let change = NewChange {
            by: Some(actor.agent.id),
            from_department: Some(from.department),
            to_department: Some(to.department),
            from_agent: from.state.owner(),
            to_agent: to.state.owner(),
            note,
            ..NewChange::default()
        };
        let (view, mut events) = self
            .record_change(&txn, id, ChangeKind::Reassigned, change, now)
            .await?;
        let number = id.to_string();
        let values = [("number", number.as_str()), ("department", label.as_str())];
        events.push(
            record_customer_notice(&txn, &self.texts, &view, Text::PassedOn, &values, now).await?,
        );
        self.commit(txn, events).await?;
        self.outbox.wake();
        tracing::info!(
            ticket.id = %id,
            agent.id = %actor.agent.id,
            department.id = %to.department,
            to.agent = ?to.state.owner(),
            "ticket reassigned"
        );
        Ok(view)
    }
}

/// What an English-speaking customer is told when their ticket is passed on (`department`: its
/// customer-facing label); the bot uses the customer's language (`Text::PassedOn`).
pub fn customer_notice(id: TicketId, department: &str) -> String {
    let number = id.to_string();
    crate::texts::BotTexts::default().render(
        Text::PassedOn,
        None,
        &[("number", &number), ("department", department)],
    )
}

/// The department and agent a reassign names, as the rules see them; an unknown department or an
/// unknown or disabled agent is a bad value in the request (422). With it, the department's
/// customer-facing label.
async fn destination<C>(
    c: &C,
    department: DepartmentId,
    agent: Option<AgentId>,
) -> Result<(Destination, String), ServiceError>
where
    C: ConnectionTrait,
{
    let found = store::departments::by_ids(c, vec![department])
        .await?
        .pop()
        .ok_or_else(|| ServiceError::Invalid(format!("there is no department {department}")))?;
    if found.archived {
        // An archived department takes no new tickets.
        return Err(ServiceError::Conflict(format!(
            "department {:?} is archived",
            found.name
        )));
    }
    let (department_name, label) = (found.name, found.label);
    let agent = match agent {
        None => None,
        Some(id) => {
            let agent = store::agents::view(c, id)
                .await?
                .ok_or_else(|| ServiceError::Invalid(format!("there is no active agent {id}")))?;
            Some(Assignee {
                id,
                name: agent.name,
                departments: agent.departments.iter().map(|d| d.id).collect(),
            })
        }
    };
    let destination = Destination {
        department,
        department_name,
        agent,
    };
    Ok((destination, label))
}
