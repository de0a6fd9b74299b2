//! Why a use-case did not happen.

use sea_orm::DbErr;

use crate::domain::DomainError;

/// A use-case's failure: a rule said no, something is missing, or the database failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Rule(#[from] DomainError),
    /// The thing does not exist, or the caller may not see it.
    #[error("not found")]
    NotFound,
    #[error("wrong login or password")]
    BadCredentials,
    #[error("no valid session")]
    NoSession,
    /// The request is well-formed but a value is unusable.
    #[error("{0}")]
    Invalid(String),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}
