//! The ticket lifecycle: Pending → Accepted(owner) → Closed.

use chrono::{DateTime, Utc};
use sea_orm::{DeriveActiveEnum, EnumIter, sea_query::StringLen};

use super::{AgentId, ClientId, DepartmentId, DomainError, Invariant, TicketId};

/// Where a ticket is in its life, as stored in its `status` column and shown in the API.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "lowercase")]
pub enum TicketStatus {
    /// Waiting in its department's queue for an agent.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Owned by one agent who chats with the customer.
    #[sea_orm(string_value = "accepted")]
    Accepted,
    /// Finished; the customer's next message opens a new ticket.
    #[sea_orm(string_value = "closed")]
    Closed,
}

/// A ticket's state with what belongs to it: an accepted ticket always has its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketState {
    Pending,
    Accepted { owner: AgentId },
    Closed,
}

impl TicketState {
    /// The state stored as a status and an optional owner; an accepted ticket without an owner (or
    /// a pending one with one) is a broken row.
    pub fn from_columns(
        ticket: TicketId,
        status: TicketStatus,
        owner: Option<AgentId>,
    ) -> Result<Self, Invariant> {
        match (status, owner) {
            (TicketStatus::Pending, None) => Ok(Self::Pending),
            (TicketStatus::Accepted, Some(owner)) => Ok(Self::Accepted { owner }),
            (TicketStatus::Closed, _) => Ok(Self::Closed),
            (TicketStatus::Accepted, None) => Err(Invariant::new(format!(
                "ticket {ticket} is accepted without an owner"
            ))),
            (TicketStatus::Pending, Some(owner)) => Err(Invariant::new(format!(
                "ticket {ticket} is pending but owned by agent {owner}"
            ))),
        }
    }

    /// The status column's value.
    pub fn status(self) -> TicketStatus {
        match self {
            Self::Pending => TicketStatus::Pending,
            Self::Accepted { .. } => TicketStatus::Accepted,
            Self::Closed => TicketStatus::Closed,
        }
    }

    /// The owner of an accepted ticket.
    pub fn owner(self) -> Option<AgentId> {
        match self {
            Self::Accepted { owner } => Some(owner),
            Self::Pending | Self::Closed => None,
        }
    }
}

/// A ticket as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub id: TicketId,
    pub client: ClientId,
    pub department: DepartmentId,
    pub state: TicketState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Who handled it last: set whenever it gets an owner, kept through return, close and reopen.
    pub last_owner: Option<AgentId>,
    /// The earlier closed ticket this one follows (opened after the reopen window).
    pub previous: Option<TicketId>,
    /// When the customer started waiting for a reply; None when the last word was an agent's.
    pub awaiting_reply_since: Option<DateTime<Utc>>,
    /// The state an accepted ticket waits for its customer in, and since when.
    pub hold: Option<(super::HoldState, DateTime<Utc>)>,
    /// The higher of its client's and its department's priority.
    pub priority: super::Priority,
    /// The start of the wait it last breached its department's first-response target for.
    pub breached_since: Option<DateTime<Utc>>,
}

impl Ticket {
    /// The breach of its department's target that the customer's current wait is in, once the
    /// checker recorded it (see `Service::check_breaches`).
    pub fn current_breach(&self) -> Option<super::Breach> {
        let (kind, since) =
            super::current_wait(self.state, self.created_at, self.awaiting_reply_since)?;
        (self.breached_since == Some(since)).then_some(super::Breach { kind, since })
    }

    /// Where the ticket is now.
    pub fn place(&self) -> Place {
        Place {
            state: self.state,
            department: self.department,
        }
    }
}

/// Where a ticket is: its state and its department. Every change moves a ticket from one place to
/// another in one conditional update, so of racing changes exactly one finds it where it expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub state: TicketState,
    pub department: DepartmentId,
}

impl Place {
    /// The same department in another state.
    pub fn with_state(self, state: TicketState) -> Self {
        Self { state, ..self }
    }
}

/// What an accept should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptCheck {
    /// The ticket waits for an owner: try to take it.
    Take,
    /// The agent owns it already; nothing changes.
    AlreadyMine,
    /// Another agent owns it.
    TakenBy(AgentId),
}

/// Decides what `agent` accepting `ticket` means in its current state.
pub fn check_accept(ticket: &Ticket, agent: AgentId) -> Result<AcceptCheck, DomainError> {
    match ticket.state {
        TicketState::Closed => Err(DomainError::Closed(ticket.id)),
        TicketState::Pending => Ok(AcceptCheck::Take),
        TicketState::Accepted { owner } if owner == agent => Ok(AcceptCheck::AlreadyMine),
        TicketState::Accepted { owner } => Ok(AcceptCheck::TakenBy(owner)),
    }
}

/// Decides whether `agent` may reply on `ticket`: only its owner, only while accepted.
pub fn check_reply(ticket: &Ticket, agent: AgentId) -> Result<(), DomainError> {
    match ticket.state {
        TicketState::Closed => Err(DomainError::Closed(ticket.id)),
        TicketState::Pending => Err(DomainError::NotAccepted(ticket.id)),
        TicketState::Accepted { owner } if owner == agent => Ok(()),
        TicketState::Accepted { .. } => Err(DomainError::NotOwner(ticket.id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: AgentId = AgentId(1);
    const BOB: AgentId = AgentId(2);

    fn ticket(state: TicketState) -> Ticket {
        Ticket {
            id: TicketId(7),
            client: ClientId(3),
            department: DepartmentId(1),
            state,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            last_owner: None,
            previous: None,
            awaiting_reply_since: None,
            hold: None,
            priority: crate::domain::Priority::Normal,
            breached_since: None,
        }
    }

    #[test]
    fn a_pending_ticket_can_be_taken() {
        assert_eq!(
            check_accept(&ticket(TicketState::Pending), BOB),
            Ok(AcceptCheck::Take)
        );
    }

    #[test]
    fn accepting_a_ticket_someone_else_owns_names_the_owner() {
        let owned = ticket(TicketState::Accepted { owner: ALICE });
        assert_eq!(check_accept(&owned, BOB), Ok(AcceptCheck::TakenBy(ALICE)));
        assert_eq!(check_accept(&owned, ALICE), Ok(AcceptCheck::AlreadyMine));
    }

    #[test]
    fn a_closed_ticket_cannot_be_accepted() {
        assert_eq!(
            check_accept(&ticket(TicketState::Closed), ALICE),
            Err(DomainError::Closed(TicketId(7)))
        );
    }

    #[test]
    fn only_the_owner_of_an_accepted_ticket_may_reply() {
        let owned = ticket(TicketState::Accepted { owner: ALICE });
        assert_eq!(check_reply(&owned, ALICE), Ok(()));
        assert_eq!(
            check_reply(&owned, BOB),
            Err(DomainError::NotOwner(TicketId(7)))
        );
        assert_eq!(
            check_reply(&ticket(TicketState::Pending), ALICE),
            Err(DomainError::NotAccepted(TicketId(7)))
        );
        assert_eq!(
            check_reply(&ticket(TicketState::Closed), ALICE),
            Err(DomainError::Closed(TicketId(7)))
        );
    }

    #[test]
    fn an_accepted_ticket_without_an_owner_cannot_be_built() {
        let id = TicketId(7);
        assert!(TicketState::from_columns(id, TicketStatus::Accepted, None).is_err());
        assert!(TicketState::from_columns(id, TicketStatus::Pending, Some(ALICE)).is_err());
        assert_eq!(
            TicketState::from_columns(id, TicketStatus::Accepted, Some(ALICE)),
            Ok(TicketState::Accepted { owner: ALICE })
        );
        for state in [
            TicketState::Pending,
            TicketState::Accepted { owner: ALICE },
            TicketState::Closed,
        ] {
            assert_eq!(
                TicketState::from_columns(id, state.status(), state.owner()),
                Ok(state)
            );
        }
    }
}
