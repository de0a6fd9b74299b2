//! API errors and their one JSON shape: `{"error": code, "message": text}`.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use std::sync::Arc;

use crate::{
    domain::DomainError,
    service::ServiceError,
    views::{AgentRef, TicketView},
};

/// A server fault behind a 500, carried in the response's extensions so that the request
/// middleware logs it once, with its request's span and its whole cause chain.
#[derive(Debug, Clone)]
pub struct ServerFault(pub Arc<anyhow::Error>);

/// An error the API answers with.
#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    Unauthorized(&'static str),
    BadOrigin,
    Forbidden(String),
    NotFound,
    AlreadyAccepted {
        message: String,
        owner: AgentRef,
    },
    Conflict(String),
    /// A lost race or a state that no longer allows the change: 409 with the ticket as it is.
    Stale {
        message: String,
        ticket: Box<TicketView>,
    },
    PayloadTooLarge,
    /// The body is over this many bytes (a route with a limit of its own).
    BodyOver(usize),
    /// An upload over a size limit, in words.
    TooLarge(String),
    /// The request was not read and answered in time (its body never came).
    RequestTimeout,
    UnsupportedMediaType,
    Invalid(String),
    /// A limit was reached (429, or 503 when the server is busy): try again after `retry_after`
    /// seconds, which the `Retry-After` header repeats.
    Limited {
        status: StatusCode,
        code: &'static str,
        message: String,
        retry_after: u64,
    },
    /// A customer's file past Telegram's bot download limit (its size in bytes, when known).
    FileTooLarge(Option<u64>),
    /// Telegram refused or could not give a file.
    FileUnavailable(String),
    /// A server fault; the body says nothing of it, the log says everything.
    Internal(ServerFault),
}

impl ApiError {
    /// A server fault with its cause.
    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        Self::Internal(ServerFault(Arc::new(error.into())))
    }
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m.clone()),
            Self::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "unauthorized", (*m).to_owned()),
            Self::BadOrigin => (
                StatusCode::FORBIDDEN,
                "bad_origin",
                "this request must come from the Switchboard console".to_owned(),
            ),
            Self::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m.clone()),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "no such thing here".to_owned(),
            ),
            Self::AlreadyAccepted { message, .. } => {
                (StatusCode::CONFLICT, "already_accepted", message.clone())
            }
            Self::Conflict(m) => (StatusCode::CONFLICT, "conflict", m.clone()),
            Self::Stale { message, .. } => (StatusCode::CONFLICT, "conflict", message.clone()),
            Self::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("the request body is over {} bytes", super::MAX_BODY_BYTES),
            ),
            Self::BodyOver(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("the request body is over {limit} bytes"),
            ),
            Self::TooLarge(m) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                m.clone(),
            ),
            Self::RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                "the request did not arrive in time".to_owned(),
            ),
            Self::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send JSON with Content-Type: application/json".to_owned(),
            ),
            Self::Invalid(m) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid", m.clone()),
            Self::Limited {
                status,
                code,
                message,
                ..
            } => (*status, code, message.clone()),
            Self::FileTooLarge(size) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "file_too_large",
                match size {
                    Some(size) => format!(
                        "this file is {:.1} MB, over Telegram's 20 MB limit for files a bot may download; ask the customer to send a smaller file",
                        *size as f64 / (1024.0 * 1024.0)
                    ),
                    None => "this file is over Telegram's 20 MB limit for files a bot may download; ask the customer to send a smaller file".to_owned(),
                },
            ),
            Self::FileUnavailable(m) => (StatusCode::BAD_GATEWAY, "file_unavailable", m.clone()),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "something went wrong on our side; it has been logged".to_owned(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        let mut body = json!({"error": code, "message": message});
        if let Self::AlreadyAccepted { owner, .. } = &self {
            body["owner"] = json!(owner);
        }
        if let Self::Stale { ticket, .. } = &self {
            body["ticket"] = json!(ticket);
        }
        if let Self::Limited { retry_after, .. } = &self {
            body["retry_after"] = json!(retry_after);
        }
        let mut response = (status, Json(body)).into_response();
        if let Self::Limited { retry_after, .. } = &self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        if let Self::Internal(fault) = self {
            response.extensions_mut().insert(fault);
        }
        response
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Rule(rule) => match rule {
                DomainError::AlreadyAccepted { ref owner, .. } => Self::AlreadyAccepted {
                    message: rule.to_string(),
                    owner: AgentRef {
                        id: owner.id,
                        name: owner.name.clone(),
                    },
                },
                DomainError::Closed(_) | DomainError::AlreadyPending(_) => {
                    Self::Conflict(rule.to_string())
                }
                DomainError::NotOwner(_)
                | DomainError::NotAccepted(_)
                | DomainError::NotYours { .. }
                | DomainError::NotNoteAuthor(_) => Self::Forbidden(rule.to_string()),
                DomainError::InvalidText(m) => Self::Invalid(m.to_owned()),
                DomainError::NotInDepartment { .. } | DomainError::NothingToChange(_) => {
                    Self::Invalid(rule.to_string())
                }
            },
            ServiceError::NotFound => Self::NotFound,
            ServiceError::Forbidden(m) => Self::Forbidden(m),
            ServiceError::BadCredentials => Self::Unauthorized("wrong login or password"),
            ServiceError::NoSession => Self::Unauthorized("log in first"),
            ServiceError::LoginThrottled { retry_after } => Self::Limited {
                status: StatusCode::TOO_MANY_REQUESTS,
                code: "too_many_requests",
                message: "too many failed logins; try again later".to_owned(),
                retry_after: retry_after.as_secs_f64().ceil() as u64,
            },
            ServiceError::Busy => Self::Limited {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: "busy",
                message: "the server is busy; try again shortly".to_owned(),
                retry_after: 1,
            },
            ServiceError::Invalid(m) => Self::Invalid(m),
            ServiceError::TooLarge(m) => Self::TooLarge(m),
            ServiceError::Conflict(m) => Self::Conflict(m),
            ServiceError::Stale { message, ticket } => Self::Stale { message, ticket },
            error @ (ServiceError::Db(_) | ServiceError::Other(_) | ServiceError::Invariant(_)) => {
                Self::internal(error)
            }
        }
    }
}
