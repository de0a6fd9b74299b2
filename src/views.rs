//! The shapes the console sees: tickets, messages and agents as the API and the live events send them.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::{Role, TicketStatus};

/// A department as other shapes name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartmentRef {
    pub id: i64,
    pub name: String,
}

/// An agent as other shapes name it (the owner of a ticket, the author of a message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentRef {
    pub id: i64,
    pub name: String,
}

/// The customer behind a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientRef {
    pub id: i64,
    pub telegram_id: i64,
    pub username: Option<String>,
    pub name: String,
}

/// A logged-in agent with the departments they work in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentView {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub departments: Vec<DepartmentRef>,
}

/// A ticket as every console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketView {
    pub id: i64,
    pub number: i64,
    pub status: TicketStatus,
    pub client: ClientRef,
    pub department: DepartmentRef,
    pub platform: &'static str,
    pub owner: Option<AgentRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Who wrote a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthorView {
    /// `customer`, `agent` or `system`.
    pub kind: String,
    pub id: Option<i64>,
    pub name: String,
}

/// One message of a ticket's conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageView {
    pub id: i64,
    pub ticket_id: i64,
    pub direction: String,
    pub author: AuthorView,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub delivery: Option<String>,
    pub delivery_error: Option<String>,
}
