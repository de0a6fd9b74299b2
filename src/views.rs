//! The shapes the console sees: tickets, messages and agents as the API and the live events send
//! them. They deserialize too, so clients (the tests among them) read them typed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{
    AgentId, AuthorKind, ChangeId, ChangeKind, ClientId, CloseReason, DeliveryState, DepartmentId,
    Direction, MessageId, NoteId, Role, TelegramUserId, TicketId, TicketStatus,
};

/// A department as other shapes name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentRef {
    pub id: DepartmentId,
    pub name: String,
}

/// An agent as other shapes name it (the owner of a ticket, the author of a message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentRef {
    pub id: AgentId,
    pub name: String,
}

/// The customer behind a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRef {
    pub id: ClientId,
    pub telegram_id: TelegramUserId,
    pub username: Option<String>,
    pub name: String,
    /// How many `#` notes agents keep about the client.
    pub notes_count: u64,
    /// Why the customer cannot be reached (they blocked the bot), when they cannot; None while
    /// messages reach them. Cleared by their next message.
    #[serde(default)]
    pub unreachable: Option<String>,
    /// The client's own priority (their tickets carry the higher of it and their department's).
    #[serde(default)]
    pub priority: crate::domain::Priority,
}

/// A logged-in agent with the departments they work in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentView {
    pub id: AgentId,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub departments: Vec<DepartmentRef>,
}

/// Who a session belongs to: the answer to logging in and to `GET /api/session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub agent: AgentView,
}

/// The messaging platform a ticket came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Telegram,
}

/// A ticket as every console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketView {
    pub id: TicketId,
    /// The number people say ("ticket #12"); the id.
    pub number: TicketId,
    pub status: TicketStatus,
    pub client: ClientRef,
    pub department: DepartmentRef,
    pub platform: Platform,
    pub owner: Option<AgentRef>,
    /// Who handled it last (kept through return, close and reopen).
    pub last_owner: Option<AgentRef>,
    /// The earlier closed ticket this one follows, when opened after the reopen window.
    pub previous_ticket_id: Option<TicketId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Needs reply: when the customer started waiting (their first message since the last agent
    /// reply); None when the last word was an agent's. System notices leave it as it is.
    pub awaiting_reply_since: Option<DateTime<Utc>>,
    /// The state an accepted ticket waits for its customer in (`waiting_customer`,
    /// `solution_suggested`), or None for normal working.
    #[serde(default)]
    pub hold: Option<crate::domain::HoldState>,
    /// Since when it holds (its auto-close counts from here).
    #[serde(default)]
    pub hold_since: Option<DateTime<Utc>>,
    /// The higher of its client's and its department's priority.
    #[serde(default)]
    pub priority: crate::domain::Priority,
    /// The customer's current wait went past the department's first-response target (recorded
    /// by the breach checker); None otherwise.
    #[serde(default)]
    pub breach: Option<crate::domain::Breach>,
    /// How many customer messages the calling agent has not read. Only in the answers of the
    /// ticket routes (it differs per agent); live events leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<u64>,
}

/// Who wrote a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorView {
    pub kind: AuthorKind,
    pub id: Option<AgentId>,
    pub name: String,
}

/// One message of a ticket's conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: MessageId,
    pub ticket_id: TicketId,
    pub direction: Direction,
    pub author: AuthorView,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub delivery: Option<DeliveryState>,
    pub delivery_error: Option<String>,
    /// A customer's file, place or contact; the file is served by `GET /api/messages/{id}/file`.
    #[serde(default)]
    pub media: Option<crate::domain::Media>,
    /// The album the message belongs to: consecutive messages with the same id are one entry.
    #[serde(default)]
    pub media_group_id: Option<String>,
    /// The message this one replies to, quoted.
    #[serde(default)]
    pub reply_to: Option<QuotedView>,
    /// When the customer last edited the message; None when never.
    #[serde(default)]
    pub edited_at: Option<DateTime<Utc>>,
    /// The texts the message had before its edits, oldest first.
    #[serde(default)]
    pub earlier_texts: Vec<EarlierText>,
    /// The customer message (same ticket) an agent's message replies to.
    #[serde(default)]
    pub out_reply_to: Option<MessageId>,
    /// The file an agent sent with the message (the text is then its caption).
    #[serde(default)]
    pub out_file: Option<OutFileView>,
}

/// A message quoted by a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotedView {
    pub id: MessageId,
    pub author_name: String,
    pub text: String,
    /// The quoted message's media kind, if it has media.
    pub media_kind: Option<crate::domain::MediaKind>,
}

/// A text a message had before an edit replaced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlierText {
    pub text: String,
    pub replaced_at: DateTime<Utc>,
}

/// A file an agent sent: `photo` or `document`, its name and size in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutFileView {
    pub kind: String,
    pub name: String,
    pub size: i64,
}

/// One side of a change: a department, an agent, both or neither.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Side {
    pub department: Option<DepartmentRef>,
    pub agent: Option<AgentRef>,
}

/// One entry of a ticket's timeline: a state change, who made it, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeView {
    pub id: ChangeId,
    pub ticket_id: TicketId,
    pub kind: ChangeKind,
    /// The agent who made the change; None when the customer or Switchboard did.
    pub by: Option<AgentRef>,
    /// Where the ticket was before the change.
    pub from: Side,
    /// Where the change put it.
    pub to: Side,
    /// Why a ticket was closed.
    pub reason: Option<CloseReason>,
    /// The closing comment, or a note that travels with the change.
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// A `#` note agents keep about a client; never shown to the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteView {
    pub id: NoteId,
    pub client_id: ClientId,
    pub text: String,
    pub author: AgentRef,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An agent with their presence: an entry of `GET /api/agents` (the online board).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPresenceView {
    #[serde(flatten)]
    pub agent: AgentView,
    pub presence: crate::domain::Presence,
}

/// The answer to `PUT /api/presence`: the agent's presence as others now see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceView {
    pub presence: crate::domain::Presence,
}

/// A department with its customer-facing values and its agents (`GET /api/departments`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentView {
    pub id: DepartmentId,
    pub name: String,
    /// What customers see on its routing button.
    pub label: String,
    /// Its deep-link name: `t.me/<bot>?start=<slug>`.
    pub slug: String,
    /// Whether customers may choose it.
    pub open: bool,
    pub position: i32,
    /// Appended to agents' text replies, when set.
    #[serde(default)]
    pub signature: Option<String>,
    /// Archived: takes no new tickets and is not offered to customers; its history stays.
    #[serde(default)]
    pub archived: bool,
    /// What the bot sends a customer whose ticket lands here, when set.
    #[serde(default)]
    pub greeting: Option<String>,
    /// `sound` or `silent`: whether new tickets here sound the alert in consoles.
    #[serde(default)]
    pub alert: String,
    /// Its lifecycle timers (None: off; the reopen window: the global setting).
    #[serde(flatten)]
    pub timers: crate::domain::TimerSettings,
    /// Its business hours; None: always open.
    #[serde(default)]
    pub business_hours: Option<crate::domain::BusinessHours>,
    /// When closed now by its business hours: when it opens again ("Mon 09:00 (Europe/Berlin)");
    /// None while open.
    #[serde(default)]
    pub closed_until: Option<String>,
    /// Its tickets' priority at least.
    #[serde(default)]
    pub priority: crate::domain::Priority,
    /// Seconds a customer may wait for a first response or a reply before supervisors are
    /// alerted; None for no target.
    #[serde(default)]
    pub first_response_target_secs: Option<i32>,
    pub agents: Vec<DepartmentAgentView>,
}

/// An agent of a department, with their presence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentAgentView {
    pub id: AgentId,
    pub name: String,
    pub presence: crate::domain::Presence,
}

/// A canned response: a department's ready-made reply (`GET /api/canned`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedView {
    pub id: crate::domain::CannedId,
    pub department_id: DepartmentId,
    /// Typed after `/` in the reply box.
    pub shortcut: String,
    pub title: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where an agent's reading of a ticket stands: the answer to `POST /api/tickets/{id}/read`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadView {
    pub ticket_id: TicketId,
    /// The last message the agent has seen (the marker only moves forward).
    pub message_id: MessageId,
    /// Customer messages after it.
    pub unread: u64,
}

/// A Telegram update that could not be processed, as admins see it (`GET /api/dead-letters`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetterView {
    pub id: crate::domain::DeadLetterId,
    /// The update's id; None when even that could not be read.
    pub update_id: Option<crate::domain::UpdateId>,
    /// Why it could not be processed.
    pub error: String,
    /// The update's JSON as Telegram sent it (cut to 16 KiB).
    pub raw: String,
    pub created_at: DateTime<Utc>,
}

/// An agent as admins manage them: active or not, with their department ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminAgentView {
    pub id: AgentId,
    pub login: String,
    pub name: String,
    pub role: Role,
    /// False once disabled: cannot log in.
    pub active: bool,
    pub departments: Vec<DepartmentId>,
}

/// One bot text in one language, as the admin page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotTextView {
    pub language: String,
    pub key: String,
    /// The placeholders its template may use, without braces.
    pub placeholders: Vec<String>,
    /// The template in force.
    pub template: String,
    /// The template without the console's override (built in, or from `SWITCHBOARD_BOT_TEXTS`).
    pub default: String,
    /// Whether the console overrides it.
    pub overridden: bool,
}

/// One administrative change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The agent who made it; null for the command line.
    pub actor_id: Option<AgentId>,
    pub actor_name: String,
    pub action: String,
    pub target: String,
    /// What changed, as a JSON object.
    pub details: serde_json::Value,
}

/// A closed ticket's rating: asked when it closed, answered with stars (1 to 5) and perhaps a
/// comment (`GET /api/tickets/{id}/rating`, the `rating.updated` event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingView {
    pub ticket_id: TicketId,
    pub department_id: DepartmentId,
    /// Who owned the ticket when it closed.
    pub agent: Option<AgentRef>,
    /// None while the customer has not answered.
    pub stars: Option<u8>,
    pub comment: Option<String>,
    /// When the customer was asked.
    pub asked_at: DateTime<Utc>,
    pub rated_at: Option<DateTime<Utc>>,
    /// Until when the customer's next message is taken as the comment; None when not waiting.
    pub comment_until: Option<DateTime<Utc>>,
}

/// The answer to `GET /api/ratings/summary`: how many answered ratings, their average, and how
/// many gave each number of stars (`by_stars[0]`: one star).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingSummaryView {
    pub count: u64,
    /// None when there is no rating.
    pub average: Option<f64>,
    pub by_stars: [u64; 5],
}

/// The supervisor board (`GET /api/board`): every department's queue and team at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardView {
    /// When the figures were computed (waits and "past target" are as of then).
    pub at: DateTime<Utc>,
    pub departments: Vec<BoardDepartmentView>,
}

/// One department on the board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardDepartmentView {
    pub id: DepartmentId,
    pub name: String,
    pub priority: crate::domain::Priority,
    pub first_response_target_secs: Option<i32>,
    /// Pending tickets.
    pub pending: u64,
    /// When the oldest Pending ticket was opened (the longest wait); None with none pending.
    pub oldest_pending_at: Option<DateTime<Utc>>,
    /// Open tickets whose customer waited past the target (Pending since opened, accepted since
    /// their first unanswered message); 0 without a target.
    pub past_target: u64,
    /// Its agents (and anyone else holding one of its tickets), by name.
    pub agents: Vec<BoardAgentView>,
}

/// An agent on the board: presence and how many of the department's tickets they hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardAgentView {
    pub id: AgentId,
    pub name: String,
    pub presence: crate::domain::Presence,
    /// Accepted tickets of this department they own.
    pub open_tickets: u64,
    /// Whether they belong to the department (false: a supervisor holding one of its tickets).
    pub member: bool,
}

/// A client as `PATCH /api/clients/{id}` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientView {
    pub id: ClientId,
    pub telegram_id: crate::domain::TelegramUserId,
    pub username: Option<String>,
    pub name: String,
    pub priority: crate::domain::Priority,
}
