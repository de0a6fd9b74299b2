//! The ticket lifecycle: Pending → Accepted(owner) → Closed.

use std::{fmt, str::FromStr};

use super::{DomainError, error::Owner};

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TicketStatus {
    /// Waiting in its department's queue for an agent.
    Pending,
    /// Owned by one agent who chats with the customer.
    Accepted,
    /// Finished; the customer's next message opens a new ticket.
    Closed,
}

impl TicketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Closed => "closed",
        }
    }
}

impl fmt::Display for TicketStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TicketStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(Self::Pending),
            "accepted" => Ok(Self::Accepted),
            "closed" => Ok(Self::Closed),
            other => Err(format!("unknown ticket status {other:?}")),
        }
    }
}

/// Which way a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the customer.
    In,
    /// To the customer.
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::In => "in",
            Self::Out => "out",
        }
    }
}

/// Decides whether `agent` may accept ticket `ticket` in its current state. `Ok(true)` means the
/// accept should be attempted; `Ok(false)` means the agent already owns it and nothing changes.
pub fn check_accept(
    ticket: i64,
    status: TicketStatus,
    owner: Option<Owner>,
    agent: i64,
) -> Result<bool, DomainError> {
    match (status, owner) {
        (TicketStatus::Closed, _) => Err(DomainError::Closed(ticket)),
        (TicketStatus::Pending, _) => Ok(true),
        (TicketStatus::Accepted, Some(owner)) if owner.id == agent => Ok(false),
        (TicketStatus::Accepted, Some(owner)) => {
            Err(DomainError::AlreadyAccepted { ticket, owner })
        }
        // An accepted ticket always has an owner; treat a missing one as acceptable.
        (TicketStatus::Accepted, None) => Ok(true),
    }
}

/// Decides whether `agent` may reply on ticket `ticket`: only its owner, only while accepted.
pub fn check_reply(
    ticket: i64,
    status: TicketStatus,
    owner: Option<i64>,
    agent: i64,
) -> Result<(), DomainError> {
    match status {
        TicketStatus::Closed => Err(DomainError::Closed(ticket)),
        TicketStatus::Pending => Err(DomainError::NotAccepted(ticket)),
        TicketStatus::Accepted if owner == Some(agent) => Ok(()),
        TicketStatus::Accepted => Err(DomainError::NotOwner(ticket)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> Owner {
        Owner {
            id: 1,
            name: "Alice".to_owned(),
        }
    }

    #[test]
    fn a_pending_ticket_can_be_accepted() {
        assert_eq!(check_accept(7, TicketStatus::Pending, None, 2), Ok(true));
    }

    #[test]
    fn accepting_a_ticket_someone_else_owns_names_the_owner() {
        let err = check_accept(7, TicketStatus::Accepted, Some(alice()), 2).unwrap_err();
        assert_eq!(
            err,
            DomainError::AlreadyAccepted {
                ticket: 7,
                owner: alice()
            }
        );
        assert_eq!(err.to_string(), "ticket #7 was already accepted by Alice");
    }

    #[test]
    fn accepting_your_own_ticket_again_changes_nothing() {
        assert_eq!(
            check_accept(7, TicketStatus::Accepted, Some(alice()), 1),
            Ok(false)
        );
    }

    #[test]
    fn a_closed_ticket_cannot_be_accepted() {
        assert_eq!(
            check_accept(7, TicketStatus::Closed, None, 1),
            Err(DomainError::Closed(7))
        );
    }

    #[test]
    fn only_the_owner_of_an_accepted_ticket_may_reply() {
        assert_eq!(check_reply(7, TicketStatus::Accepted, Some(1), 1), Ok(()));
        assert_eq!(
            check_reply(7, TicketStatus::Accepted, Some(1), 2),
            Err(DomainError::NotOwner(7))
        );
        assert_eq!(
            check_reply(7, TicketStatus::Pending, None, 1),
            Err(DomainError::NotAccepted(7))
        );
        assert_eq!(
            check_reply(7, TicketStatus::Closed, Some(1), 1),
            Err(DomainError::Closed(7))
        );
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for s in [
            TicketStatus::Pending,
            TicketStatus::Accepted,
            TicketStatus::Closed,
        ] {
            assert_eq!(s.as_str().parse::<TicketStatus>(), Ok(s));
        }
    }
}
