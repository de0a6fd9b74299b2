//! The ticket domain as pure rules: ids, states, roles, what may happen to a ticket and who may do
//! it. Nothing here knows about HTTP, SQL or Telegram; the states derive how their columns are
//! stored so that the entities hold them typed.

pub mod canned;
mod change;
mod department;
mod error;
mod hours;
mod ids;
mod media;
mod message;
mod note;
mod presence;
mod priority;
mod rating;
mod reassign;
pub mod report;
mod role;
mod settings;
mod text;
mod ticket;
mod timers;
pub mod upload;

pub use change::{ChangeKind, CloseReason, MAX_COMMENT_CHARS, check_close, check_return, comment};
pub use department::{
    DepartmentError, RouteCheck, RouteRefusal, check_route, department_label, department_name,
    department_signature, department_slug, signed, slug_from_name,
};
pub use error::{DomainError, Invariant, Owner};
pub use hours::{BusinessHours, Reopening, Weekly};
pub use ids::{
    AgentId, CannedId, ChangeId, ChatId, ClientId, DeadLetterId, DepartmentId, EventSeq, MessageId,
    NoteId, TelegramMessageId, TelegramUserId, TicketId, UpdateId,
};
pub use media::{MAX_BOT_DOWNLOAD, Media, MediaKind, served_type};
pub use message::{Author, AuthorKind, DeliveryState, Direction};
pub use note::{MAX_NOTE_CHARS, NoteText, check_note_change};
pub use presence::Presence;
pub use priority::{
    Breach, BreachKind, MAX_TARGET_SECS, Priority, current_wait, first_response_target, past_target,
};
pub use rating::{
    COMMENT_WINDOW, MAX_RATING_COMMENT_CHARS, RatePress, Stars, TOKEN_CHARS, rating_comment,
};
pub use reassign::{Assignee, Destination, MAX_REASSIGN_NOTE_CHARS, check_reassign, reassign_note};
pub use role::{Role, Scope};
pub use settings::{
    AlertSettings, AlertSettingsChange, AlertSettingsPatch, DEFAULT_REPEAT_SECS, DEFAULT_VOLUME,
    MAX_REPEAT_SECS, MAX_VOLUME, MIN_REPEAT_SECS,
};
pub use text::MessageText;
pub use ticket::{
    AcceptCheck, Place, Ticket, TicketState, TicketStatus, check_accept, check_reply,
};
pub use timers::{HoldState, TimerSettings, check_hold};
