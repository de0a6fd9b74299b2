//! Customers choose a department: the "Which team do you need?" question with one button per open
//! department, a press on one of them, and the `/start <slug>` deep link that chooses at once.

use sea_orm::{ConnectionTrait, DbErr};
use serde_json::json;

use super::{Service, ServiceError};
use crate::{
    domain::{
        self, ChangeKind, DepartmentId, RouteCheck, RouteRefusal, TelegramUserId, TicketId,
        TicketState,
    },
    store::{self, changes::NewChange},
};

/// The question a customer is asked when several departments are open.
pub const ROUTING_QUESTION: &str = "Which team do you need?";

/// A customer pressed a department button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Press {
    /// Who pressed it.
    pub customer: TelegramUserId,
    pub ticket: TicketId,
    /// The department the ticket was in when the customer was asked.
    pub from: DepartmentId,
    /// The department they chose.
    pub department: DepartmentId,
}

impl Press {
    /// The press that a button's callback data stands for
    /// (`route:<ticket>:<asked in department>:<chosen department>`); None for anything else.
    pub fn parse(customer: TelegramUserId, data: &str) -> Option<Self> {
        let mut parts = data.strip_prefix("route:")?.split(':');
        let press = Self {
            customer,
            ticket: parts.next()?.parse().ok()?,
            from: parts.next()?.parse().ok()?,
            department: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(press)
    }

    /// The callback data of this press's button.
    fn data(ticket: TicketId, from: DepartmentId, to: DepartmentId) -> String {
        format!("route:{ticket}:{from}:{to}")
    }
}

/// What a press did, for the answer the customer sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteOutcome {
    /// The ticket is now in the department with this label (moved now, or by an earlier press).
    Routed { label: String },
    /// An agent has or had the ticket; nothing changed.
    WithAgent,
    /// The ticket is closed; nothing changed.
    Closed,
    /// The button is not this customer's, or its department is gone or closed; nothing changed.
    Unavailable,
}

impl Service {
    /// Moves a customer's pending ticket, which no agent ever accepted, to the department they
    /// chose. One conditional update decides between racing presses (and an Accept): the loser
    /// changes nothing and hears where the ticket went.
    pub async fn route(&self, press: Press) -> Result<RouteOutcome, ServiceError> {
        let txn = store::begin_write(&self.db).await?;
        let Some(ticket) = store::tickets::find(&txn, press.ticket).await? else {
            return Ok(RouteOutcome::Unavailable);
        };
        let owner = store::clients::by_ids(&txn, vec![ticket.client]).await?;
        if owner.first().map(|c| c.telegram_id) != Some(press.customer) {
            return Ok(RouteOutcome::Unavailable);
        }
        let Some(department) = store::departments::find(&txn, press.department)
            .await?
            .filter(|d| d.open && !d.archived)
        else {
            return Ok(RouteOutcome::Unavailable);
        };
        match domain::check_route(&ticket, press.from, department.id) {
            Err(RouteRefusal::WithAgent) => return Ok(RouteOutcome::WithAgent),
            Err(RouteRefusal::Closed) => return Ok(RouteOutcome::Closed),
            Err(RouteRefusal::Moved) => {
                drop(txn);
                return self.route_lost(press.ticket).await;
            }
            Ok(RouteCheck::AlreadyThere) => {
                return Ok(RouteOutcome::Routed {
                    label: department.label,
                });
            }
            Ok(RouteCheck::Move) => {}
        }
        let now = self.clock.now();
        let to = domain::Place {
            state: TicketState::Pending,
            department: department.id,
        };
        let moved =
            store::tickets::transition(&txn, ticket.id, ticket.place(), to, None, now).await?;
        if !moved {
            drop(txn);
            return self.route_lost(press.ticket).await;
        }
        let change = NewChange {
            from_department: Some(ticket.department),
            to_department: Some(department.id),
            ..NewChange::default()
        };
        let (view, mut events) = self
            .record_change(&txn, ticket.id, ChangeKind::Routed, change, now)
            .await?;
        if let Some(greeting) = &department.greeting {
            events.push(super::record_customer_text(&txn, &view, greeting, now).await?);
        }
        self.commit(txn, events).await?;
        tracing::info!(ticket.id = %ticket.id, department.id = %department.id, "customer chose a department");
        Ok(RouteOutcome::Routed {
            label: department.label,
        })
    }

    /// The answer to a press that lost its race: where the ticket is now, or why it cannot move.
    async fn route_lost(&self, id: TicketId) -> Result<RouteOutcome, ServiceError> {
        let ticket = store::tickets::find(&self.db, id)
            .await?
            .ok_or_else(|| ServiceError::bug(format!("ticket {id} vanished while routed")))?;
        Ok(match ticket.state {
            TicketState::Closed => RouteOutcome::Closed,
            TicketState::Accepted { .. } => RouteOutcome::WithAgent,
            TicketState::Pending => {
                match store::departments::find(&self.db, ticket.department).await? {
                    Some(department) => RouteOutcome::Routed {
                        label: department.label,
                    },
                    None => RouteOutcome::Unavailable,
                }
            }
        })
    }

    /// Where a new ticket opens: the open department named by a `/start <slug>` deep link (true:
    /// the customer chose), else the default department (false).
    pub(super) async fn entry_department<C>(
        &self,
        c: &C,
        text: &str,
    ) -> Result<(DepartmentId, bool), DbErr>
    where
        C: ConnectionTrait,
    {
        if let Some(slug) = deep_link_slug(text)
            && let Some(department) = store::departments::find_by_slug(c, slug).await?
            && department.open
            && !department.archived
        {
            return Ok((department.id, true));
        }
        Ok((self.default_department, false))
    }
}

/// The inline keyboard that asks the customer of `ticket` to choose among the open departments,
/// as Bot API `reply_markup` JSON; None when fewer than two are open (nobody is asked).
pub(super) async fn routing_keyboard<C>(
    c: &C,
    ticket: TicketId,
    asked_in: DepartmentId,
) -> Result<Option<String>, DbErr>
where
    C: ConnectionTrait,
{
    let open = store::departments::open(c).await?;
    Ok(keyboard_of(&open, ticket, asked_in))
}

/// `routing_keyboard` with the open departments (`store::departments::open`) already read.
pub(super) fn keyboard_of(
    open: &[crate::store::entity::department::Model],
    ticket: TicketId,
    asked_in: DepartmentId,
) -> Option<String> {
    if open.len() < 2 {
        return None;
    }
    let rows: Vec<_> = open
        .iter()
        .map(|d| {
            vec![json!({
                "text": d.label,
                "callback_data": Press::data(ticket, asked_in, d.id),
            })]
        })
        .collect();
    Some(json!({ "inline_keyboard": rows }).to_string())
}

/// The slug of a `/start <slug>` deep link (`t.me/<bot>?start=<slug>`).
fn deep_link_slug(text: &str) -> Option<&str> {
    let rest = text.trim().strip_prefix("/start")?;
    let slug = rest.strip_prefix(' ')?.trim();
    (!slug.is_empty()).then_some(slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_data_names_a_ticket_and_where_it_was_asked_and_chosen() {
        let who = TelegramUserId(5);
        let press = Press {
            customer: who,
            ticket: TicketId(12),
            from: DepartmentId(1),
            department: DepartmentId(3),
        };
        assert_eq!(Press::parse(who, "route:12:1:3"), Some(press));
        assert_eq!(
            Press::data(TicketId(12), DepartmentId(1), DepartmentId(3)),
            "route:12:1:3"
        );
        for bad in [
            "",
            "route:",
            "route:12",
            "route:12:3",
            "route:x:1:3",
            "route:12:1:3:4",
            "accept:1:2:3",
        ] {
            assert_eq!(Press::parse(who, bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_deep_link_names_a_slug() {
        assert_eq!(deep_link_slug("/start billing"), Some("billing"));
        assert_eq!(deep_link_slug("/start"), None);
        assert_eq!(deep_link_slug("/startbilling"), None);
        assert_eq!(deep_link_slug("hello"), None);
    }
}
