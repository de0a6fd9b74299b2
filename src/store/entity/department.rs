use sea_orm::entity::prelude::*;

use crate::domain::{DepartmentId, Priority};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "departments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: DepartmentId,
    pub name: String,
    /// What customers see on the routing button.
    pub label: String,
    /// The deep-link name (`/start <slug>`).
    pub slug: String,
    /// Whether customers may choose it.
    pub open: bool,
    /// Order of the buttons and lists.
    pub position: i32,
    pub created_at: ChronoDateTimeUtc,
    /// Appended to agents' text replies in this department, when set.
    pub signature: Option<String>,
    /// Archived: takes no new tickets and is not offered to customers; its history stays.
    pub archived: bool,
    /// What the bot sends a customer whose ticket lands here, when set.
    pub greeting: Option<String>,
    /// Whether new tickets sound the alert in consoles: `sound` or `silent`.
    pub alert: String,
    /// Hours after the customer's last message until the idle reminder; None: off.
    pub idle_reminder_hours: Option<i32>,
    /// Hours after the customer's last message until the idle close; None: off.
    pub idle_close_hours: Option<i32>,
    /// Days a ticket waits for its customer before it closes; None: off.
    pub waiting_close_days: Option<i32>,
    /// Days a ticket with a suggested solution waits before it closes; None: off.
    pub solution_close_days: Option<i32>,
    /// Hours after a close during which the customer reopens it; None: the global setting.
    pub reopen_window_hours: Option<i32>,
    /// Business hours as JSON (`domain::BusinessHours`); None: always open.
    pub business_hours: Option<String>,
    /// Its tickets' priority at least.
    pub priority: Priority,
    /// How long a customer may wait for a first response (or a reply) before supervisors are
    /// alerted; None for no target.
    pub first_response_target_secs: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
