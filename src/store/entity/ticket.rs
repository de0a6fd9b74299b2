use sea_orm::entity::prelude::*;

use crate::domain::{
    AgentId, ClientId, CloseReason, DepartmentId, HoldState, Priority, TicketId, TicketStatus,
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tickets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: TicketId,
    pub client_id: ClientId,
    pub department_id: DepartmentId,
    pub status: TicketStatus,
    pub owner_id: Option<AgentId>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
    pub accepted_at: Option<ChronoDateTimeUtc>,
    pub closed_at: Option<ChronoDateTimeUtc>,
    pub close_reason: Option<CloseReason>,
    pub close_comment: Option<String>,
    pub last_owner_id: Option<AgentId>,
    pub previous_ticket_id: Option<TicketId>,
    /// When the customer started waiting for a reply (their first message since the last agent
    /// reply); None when the last word was an agent's.
    pub awaiting_reply_since: Option<ChronoDateTimeUtc>,
    /// The client's open tickets each hold their own slot (0 for the first; `/new` takes the next
    /// one); the database refuses two open tickets of a client in one slot.
    pub open_slot: i32,
    /// When the customer last wrote (idle timers count from here).
    pub customer_wrote_at: Option<ChronoDateTimeUtc>,
    /// When the idle reminder went out since the customer last wrote.
    pub idle_reminded_at: Option<ChronoDateTimeUtc>,
    /// The state an accepted ticket waits for its customer in.
    pub hold_state: Option<HoldState>,
    /// Since when it holds.
    pub hold_since: Option<ChronoDateTimeUtc>,
    /// When the bot told the customer that the department is away (once per ticket).
    pub away_notice_at: Option<ChronoDateTimeUtc>,
    /// The higher of its client's and its department's priority (the Pending queue's order).
    pub priority: Priority,
    /// The start of the wait it last breached its department's first-response target for: a
    /// breach is recorded (and alerted) once per wait.
    pub breached_since: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
