//! Why a use-case did not happen.

use sea_orm::DbErr;

use crate::{
    domain::{DomainError, Invariant},
    views::TicketView,
};

/// A use-case's failure: a rule said no, something is missing, a value is unusable, or the server
/// failed (the database, or a bug).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Rule(#[from] DomainError),
    /// The caller's role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing does not exist, or the caller may not see it.
    #[error("not found")]
    NotFound,
    #[error("wrong login or password")]
    BadCredentials,
    #[error("no valid session")]
    NoSession,
    /// Too many wrong passwords for this login lately: try again after the given time.
    #[error("too many failed logins; try again later")]
    LoginThrottled { retry_after: std::time::Duration },
    /// Every password check is busy: try again shortly.
    #[error("the server is busy checking passwords; try again shortly")]
    Busy,
    /// The request is well-formed but a value is unusable.
    #[error("{0}")]
    Invalid(String),
    /// An upload over a size limit.
    #[error("{0}")]
    TooLarge(String),
    /// The ticket is not (or no longer) in a state that allows the change: another change came
    /// first. Carries the ticket as it now is.
    #[error("{message}")]
    Stale {
        message: String,
        ticket: Box<TicketView>,
    },
    /// The change collides with something that exists (a taken login or name).
    #[error("{0}")]
    Conflict(String),
    /// A bug: something that cannot happen did.
    #[error(transparent)]
    Invariant(#[from] Invariant),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl ServiceError {
    /// A broken invariant, described.
    pub fn bug(what: impl Into<String>) -> Self {
        Self::Invariant(Invariant::new(what))
    }
}
