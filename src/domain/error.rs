//! The ways a domain rule can refuse an action, and the broken invariant (a bug, never the
//! caller's fault).

use super::{AgentId, TicketId};

/// Someone who owns a ticket, as the rules name them in a refusal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Owner {
    pub id: AgentId,
    pub name: String,
}

/// A refusal by a domain rule, carrying what the caller needs to explain it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The ticket already has an owner other than the caller.
    #[error("ticket #{ticket} was already accepted by {}", owner.name)]
    AlreadyAccepted { ticket: TicketId, owner: Owner },
    /// The ticket is closed; nothing more can happen to it.
    #[error("ticket #{0} is closed")]
    Closed(TicketId),
    /// Only the owner may do this on an accepted ticket.
    #[error("only the agent who accepted ticket #{0} may reply to it")]
    NotOwner(TicketId),
    /// Only the owner (or a supervisor or admin) may do this.
    #[error("only the agent who accepted ticket #{ticket}, or a supervisor, may {action} it")]
    NotYours {
        ticket: TicketId,
        action: &'static str,
    },
    /// The ticket waits in its queue already.
    #[error("ticket #{0} is already waiting in its queue")]
    AlreadyPending(TicketId),
    /// The ticket has not been accepted yet.
    #[error("ticket #{0} must be accepted before replying")]
    NotAccepted(TicketId),
    /// The agent a ticket is passed to does not work in the target department.
    #[error("{agent} does not work in {department}")]
    NotInDepartment { agent: String, department: String },
    /// The change would leave the ticket where it is.
    #[error("ticket #{0} is there already: nothing to change")]
    NothingToChange(TicketId),
    /// A message text is empty or too long.
    #[error("{0}")]
    InvalidText(&'static str),
    /// Only a note's author (or a supervisor or admin) may change it.
    #[error("only the author of a note, or a supervisor, may {0} it")]
    NotNoteAuthor(&'static str),
}

/// Something that cannot happen did: a row that must exist is missing, a stored state breaks the
/// rules. A bug to log and answer with 500, never a 404.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("broken invariant: {0}")]
pub struct Invariant(pub String);

impl Invariant {
    pub fn new(what: impl Into<String>) -> Self {
        Self(what.into())
    }
}
