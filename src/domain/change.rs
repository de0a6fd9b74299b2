//! What may happen to a ticket after Accept — close and return to the queue — and the timeline
//! entry each change leaves.

use sea_orm::{DeriveActiveEnum, EnumIter, sea_query::StringLen};

use super::{AgentId, DomainError, Role, Ticket, TicketState};

/// Why a ticket was closed.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    EnumIter,
    DeriveActiveEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "lowercase")]
pub enum CloseReason {
    /// The customer got what they needed.
    #[sea_orm(string_value = "resolved")]
    Resolved,
    /// The customer stopped answering.
    #[sea_orm(string_value = "idle")]
    Idle,
    #[sea_orm(string_value = "spam")]
    Spam,
    /// Another ticket covers it.
    #[sea_orm(string_value = "duplicate")]
    Duplicate,
}

/// The kind of a timeline entry.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    EnumIter,
    DeriveActiveEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    #[sea_orm(string_value = "created")]
    Created,
    /// The customer chose a department (inline button or deep link).
    #[sea_orm(string_value = "routed")]
    Routed,
    #[sea_orm(string_value = "accepted")]
    Accepted,
    /// Passed to another department (Pending there) or to an agent (owned by them).
    #[sea_orm(string_value = "reassigned")]
    Reassigned,
    /// Back to Pending in the same department.
    #[sea_orm(string_value = "returned")]
    Returned,
    #[sea_orm(string_value = "closed")]
    Closed,
    /// The customer wrote again within the reopen window after a close.
    #[sea_orm(string_value = "reopened")]
    Reopened,
    /// A supervisor or admin took an accepted ticket over from its owner.
    #[sea_orm(string_value = "taken_over")]
    #[serde(rename = "taken_over")]
    TakenOver,
}

/// The longest closing comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// Decides whether `agent` (of `role`) may close `ticket`: its owner, or a supervisor or admin,
/// Pending tickets too; never a closed one.
pub fn check_close(ticket: &Ticket, agent: AgentId, role: Role) -> Result<(), DomainError> {
    match ticket.state {
        TicketState::Closed => Err(DomainError::Closed(ticket.id)),
        _ if role.sees_all_departments() => Ok(()),
        TicketState::Accepted { owner } if owner == agent => Ok(()),
        TicketState::Accepted { .. } | TicketState::Pending => Err(DomainError::NotYours {
            ticket: ticket.id,
            action: "close",
        }),
    }
}

/// Decides whether `agent` (of `role`) may return `ticket` to its department's queue: only an
/// accepted ticket, by its owner or a supervisor or admin.
pub fn check_return(ticket: &Ticket, agent: AgentId, role: Role) -> Result<(), DomainError> {
    match ticket.state {
        TicketState::Closed => Err(DomainError::Closed(ticket.id)),
        TicketState::Pending => Err(DomainError::AlreadyPending(ticket.id)),
        TicketState::Accepted { owner } if owner == agent || role.sees_all_departments() => Ok(()),
        TicketState::Accepted { .. } => Err(DomainError::NotYours {
            ticket: ticket.id,
            action: "return",
        }),
    }
}

/// Checks an optional closing comment: trimmed, empty means none, at most `MAX_COMMENT_CHARS`.
pub fn comment(text: Option<&str>) -> Result<Option<String>, DomainError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_COMMENT_CHARS {
        return Err(DomainError::InvalidText(
            "a comment has at most 2000 characters",
        ));
    }
    Ok(Some(text.replace('\0', "\u{FFFD}")))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::{ClientId, DepartmentId, TicketId};

    const ALICE: AgentId = AgentId(1);
    const BOB: AgentId = AgentId(2);

    fn ticket(state: TicketState) -> Ticket {
        Ticket {
            id: TicketId(12),
            client: ClientId(3),
            department: DepartmentId(1),
            state,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            last_owner: None,
            previous: None,
            awaiting_reply_since: None,
            hold: None,
            priority: crate::domain::Priority::Normal,
            breached_since: None,
        }
    }

    #[test]
    fn the_owner_or_a_supervisor_closes_and_nobody_closes_twice() {
        let owned = ticket(TicketState::Accepted { owner: ALICE });
        assert_eq!(check_close(&owned, ALICE, Role::Agent), Ok(()));
        assert_eq!(check_close(&owned, BOB, Role::Supervisor), Ok(()));
        assert_eq!(check_close(&owned, BOB, Role::Admin), Ok(()));
        assert!(matches!(
            check_close(&owned, BOB, Role::Agent),
            Err(DomainError::NotYours { .. })
        ));
        let pending = ticket(TicketState::Pending);
        assert!(check_close(&pending, ALICE, Role::Agent).is_err());
        assert_eq!(check_close(&pending, BOB, Role::Supervisor), Ok(()));
        assert_eq!(
            check_close(&ticket(TicketState::Closed), BOB, Role::Admin),
            Err(DomainError::Closed(TicketId(12)))
        );
    }

    #[test]
    fn only_an_accepted_ticket_goes_back_to_the_queue() {
        let owned = ticket(TicketState::Accepted { owner: ALICE });
        assert_eq!(check_return(&owned, ALICE, Role::Agent), Ok(()));
        assert_eq!(check_return(&owned, BOB, Role::Supervisor), Ok(()));
        assert!(check_return(&owned, BOB, Role::Agent).is_err());
        assert_eq!(
            check_return(&ticket(TicketState::Pending), ALICE, Role::Admin),
            Err(DomainError::AlreadyPending(TicketId(12)))
        );
    }

    #[test]
    fn a_comment_is_optional_and_bounded() {
        assert_eq!(comment(None), Ok(None));
        assert_eq!(comment(Some("  ")), Ok(None));
        assert_eq!(comment(Some(" ok ")), Ok(Some("ok".to_owned())));
        assert!(comment(Some(&"x".repeat(MAX_COMMENT_CHARS + 1))).is_err());
    }
}
