//! The ticket domain as pure rules: statuses, roles, what may happen to a ticket and who may do it.
//! Nothing here knows about HTTP, SQL or Telegram.

mod error;
mod role;
mod text;
mod ticket;

pub use error::{DomainError, Owner};
pub use role::{Role, Scope};
pub use text::MessageText;
pub use ticket::{Direction, TicketStatus, check_accept, check_reply};
