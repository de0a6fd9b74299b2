//! Departments as customers see them (a label on a button, a slug in a deep link) and the rule for
//! a customer choosing one.

use super::{Ticket, TicketState};

/// The longest department name, label and slug.
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_LABEL_CHARS: usize = 64;
pub const MAX_SLUG_CHARS: usize = 32;

/// A department value that cannot be used, with a message for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DepartmentError(pub &'static str);

/// A department name: 1 to 100 characters after trimming.
pub fn department_name(name: &str) -> Result<String, DepartmentError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(DepartmentError("a department name has 1 to 100 characters"));
    }
    Ok(name.to_owned())
}

/// A customer-facing label (the text of its routing button): 1 to 64 characters after trimming.
pub fn department_label(label: &str) -> Result<String, DepartmentError> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > MAX_LABEL_CHARS {
        return Err(DepartmentError("a department label has 1 to 64 characters"));
    }
    Ok(label.to_owned())
}

/// The most characters a department's signature may have.
pub const MAX_SIGNATURE_CHARS: usize = 200;

/// A signature appended to agents' replies: up to 200 characters after trimming; blank means
/// none (None).
pub fn department_signature(signature: &str) -> Result<Option<String>, DepartmentError> {
    let signature = signature.trim();
    if signature.chars().count() > MAX_SIGNATURE_CHARS {
        return Err(DepartmentError(
            "a department signature has at most 200 characters",
        ));
    }
    Ok((!signature.is_empty()).then(|| signature.to_owned()))
}

/// Appends a signature to a reply's text, on a line of its own after a blank line.
pub fn signed(text: &str, signature: Option<&str>) -> String {
    match signature {
        Some(signature) => format!("{text}\n\n{signature}"),
        None => text.to_owned(),
    }
}

/// A slug (`t.me/<bot>?start=<slug>`): 1 to 32 of lowercase a-z, 0-9 and `-`.
pub fn department_slug(slug: &str) -> Result<String, DepartmentError> {
    let valid = (1..=MAX_SLUG_CHARS).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid {
        return Err(DepartmentError(
            "a department slug has 1 to 32 characters: lowercase a-z, 0-9 and -",
        ));
    }
    Ok(slug.to_owned())
}

/// The slug a department gets from its name when none is given: lowercase a-z and 0-9, other
/// runs of characters become one `-`; "department" when nothing is left.
pub fn slug_from_name(name: &str) -> String {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.chars().take(MAX_SLUG_CHARS).collect();
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "department".to_owned()
    } else {
        slug.to_owned()
    }
}

/// What a customer's choice of a department means for their ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteCheck {
    /// The ticket waits for its first agent: move it.
    Move,
    /// It is in that department already; nothing changes (a repeated press).
    AlreadyThere,
}

/// Why a customer's choice changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteRefusal {
    /// An agent has (or had) the ticket: the customer cannot move it any more.
    WithAgent,
    /// The ticket is closed.
    Closed,
    /// The ticket left the department the question was asked in (an old keyboard).
    Moved,
}

/// Decides whether the customer, asked while the ticket was in department `from`, may send
/// `ticket` to department `to`: only while it is Pending in `from` and no agent ever accepted it.
pub fn check_route(
    ticket: &Ticket,
    from: super::DepartmentId,
    to: super::DepartmentId,
) -> Result<RouteCheck, RouteRefusal> {
    match ticket.state {
        TicketState::Closed => Err(RouteRefusal::Closed),
        TicketState::Accepted { .. } => Err(RouteRefusal::WithAgent),
        TicketState::Pending if ticket.last_owner.is_some() => Err(RouteRefusal::WithAgent),
        TicketState::Pending if ticket.department == to => Ok(RouteCheck::AlreadyThere),
        TicketState::Pending if ticket.department != from => Err(RouteRefusal::Moved),
        TicketState::Pending => Ok(RouteCheck::Move),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::{AgentId, ClientId, DepartmentId, TicketId};

    fn ticket(state: TicketState, last_owner: Option<AgentId>) -> Ticket {
        Ticket {
            id: TicketId(1),
            client: ClientId(1),
            department: DepartmentId(1),
            state,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            last_owner,
            previous: None,
            awaiting_reply_since: None,
            hold: None,
            priority: crate::domain::Priority::Normal,
            breached_since: None,
        }
    }

    #[test]
    fn slugs_are_lowercase_letters_digits_and_dashes() {
        assert!(department_slug("billing-2").is_ok());
        for bad in ["", "Billing", "bill ing", "bill_ing", "é", &"a".repeat(33)] {
            assert!(department_slug(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_slug_is_made_from_the_name() {
        assert_eq!(slug_from_name("Billing & Payments"), "billing-payments");
        assert_eq!(slug_from_name("  General "), "general");
        assert_eq!(slug_from_name("Отдел"), "department");
    }

    #[test]
    fn names_and_labels_are_trimmed_and_bounded() {
        assert_eq!(department_name("  Billing ").unwrap(), "Billing");
        assert!(department_name("   ").is_err());
        assert!(department_label(&"x".repeat(65)).is_err());
    }

    #[test]
    fn only_a_pending_ticket_no_agent_ever_had_can_be_routed() {
        let (from, to) = (DepartmentId(1), DepartmentId(2));
        let pending = ticket(TicketState::Pending, None);
        assert_eq!(check_route(&pending, from, to), Ok(RouteCheck::Move));
        assert_eq!(
            check_route(&pending, from, from),
            Ok(RouteCheck::AlreadyThere)
        );
        assert_eq!(
            check_route(&pending, DepartmentId(3), to),
            Err(RouteRefusal::Moved),
            "an old keyboard asked elsewhere"
        );
        let returned = ticket(TicketState::Pending, Some(AgentId(3)));
        assert_eq!(
            check_route(&returned, from, to),
            Err(RouteRefusal::WithAgent)
        );
        let accepted = ticket(
            TicketState::Accepted { owner: AgentId(3) },
            Some(AgentId(3)),
        );
        assert_eq!(
            check_route(&accepted, from, to),
            Err(RouteRefusal::WithAgent)
        );
        let closed = ticket(TicketState::Closed, None);
        assert_eq!(check_route(&closed, from, to), Err(RouteRefusal::Closed));
    }
}
