//! The ways a domain rule can refuse an action.

/// Someone who owns a ticket, as the rules name them in a refusal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Owner {
    pub id: i64,
    pub name: String,
}

/// A refusal by a domain rule, carrying what the caller needs to explain it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The ticket already has an owner other than the caller.
    #[error("ticket #{ticket} was already accepted by {}", owner.name)]
    AlreadyAccepted { ticket: i64, owner: Owner },
    /// The ticket is closed; nothing more can happen to it.
    #[error("ticket #{0} is closed")]
    Closed(i64),
    /// Only the owner may do this on an accepted ticket.
    #[error("only the agent who accepted ticket #{0} may reply to it")]
    NotOwner(i64),
    /// The ticket has not been accepted yet.
    #[error("ticket #{0} must be accepted before replying")]
    NotAccepted(i64),
    /// A message text is empty or too long.
    #[error("{0}")]
    InvalidText(&'static str),
}
