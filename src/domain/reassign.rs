//! Reassign: passing a ticket to a department (Pending there) or to an agent of it (owned by them
//! at once), who may do it, and the note that travels with it.

use super::{AgentId, DepartmentId, DomainError, Place, Role, TicketId, TicketState};

/// The longest internal note that travels with a reassign, in characters.
pub const MAX_REASSIGN_NOTE_CHARS: usize = 2000;

/// Where a reassign sends a ticket: a department, and optionally one of its agents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub department: DepartmentId,
    pub department_name: String,
    pub agent: Option<Assignee>,
}

/// An active agent a ticket may be passed to, with the departments they work in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignee {
    pub id: AgentId,
    pub name: String,
    pub departments: Vec<DepartmentId>,
}

/// Decides whether `actor` (of `role`) may reassign ticket `ticket`, which is at `from`, to `to`,
/// and returns the place it moves to. The owner of an accepted ticket may; supervisors and admins
/// may for any open ticket, Pending ones too; nobody for a closed one. The agent, if any, must
/// work in the target department, and the ticket must end up somewhere else than where it is.
pub fn check_reassign(
    ticket: TicketId,
    from: Place,
    actor: AgentId,
    role: Role,
    to: &Destination,
) -> Result<Place, DomainError> {
    match from.state {
        TicketState::Closed => return Err(DomainError::Closed(ticket)),
        _ if role.sees_all_departments() => {}
        TicketState::Accepted { owner } if owner == actor => {}
        TicketState::Accepted { .. } | TicketState::Pending => {
            return Err(DomainError::NotYours {
                ticket,
                action: "reassign",
            });
        }
    }
    let state = match &to.agent {
        None => TicketState::Pending,
        Some(agent) if agent.departments.contains(&to.department) => {
            TicketState::Accepted { owner: agent.id }
        }
        Some(agent) => {
            return Err(DomainError::NotInDepartment {
                agent: agent.name.clone(),
                department: to.department_name.clone(),
            });
        }
    };
    let place = Place {
        state,
        department: to.department,
    };
    if place == from {
        return Err(DomainError::NothingToChange(ticket));
    }
    Ok(place)
}

/// Checks an optional reassign note: trimmed, empty means none, at most
/// `MAX_REASSIGN_NOTE_CHARS`.
pub fn reassign_note(text: Option<&str>) -> Result<Option<String>, DomainError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_REASSIGN_NOTE_CHARS {
        return Err(DomainError::InvalidText(
            "a reassign note has at most 2000 characters",
        ));
    }
    Ok(Some(text.replace('\0', "\u{FFFD}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: AgentId = AgentId(1);
    const BOB: AgentId = AgentId(2);
    const SAM: AgentId = AgentId(3);
    const GENERAL: DepartmentId = DepartmentId(1);
    const BILLING: DepartmentId = DepartmentId(2);
    const TICKET: TicketId = TicketId(12);

    fn at(state: TicketState) -> Place {
        Place {
            state,
            department: GENERAL,
        }
    }

    fn to(department: DepartmentId, agent: Option<AgentId>) -> Destination {
        Destination {
            department,
            department_name: "Billing".to_owned(),
            agent: agent.map(|id| Assignee {
                id,
                name: "Bob".to_owned(),
                departments: vec![BILLING],
            }),
        }
    }

    #[test]
    fn the_owner_passes_a_ticket_to_a_department_or_to_an_agent_of_it() {
        let owned = at(TicketState::Accepted { owner: ALICE });
        assert_eq!(
            check_reassign(TICKET, owned, ALICE, Role::Agent, &to(BILLING, None)),
            Ok(Place {
                state: TicketState::Pending,
                department: BILLING
            })
        );
        assert_eq!(
            check_reassign(TICKET, owned, ALICE, Role::Agent, &to(BILLING, Some(BOB))),
            Ok(Place {
                state: TicketState::Accepted { owner: BOB },
                department: BILLING
            })
        );
    }

    #[test]
    fn only_the_owner_or_a_supervisor_reassigns_and_nobody_a_closed_ticket() {
        let owned = at(TicketState::Accepted { owner: ALICE });
        let billing = to(BILLING, None);
        assert!(matches!(
            check_reassign(TICKET, owned, BOB, Role::Agent, &billing),
            Err(DomainError::NotYours { .. })
        ));
        let pending = at(TicketState::Pending);
        assert!(matches!(
            check_reassign(TICKET, pending, ALICE, Role::Agent, &billing),
            Err(DomainError::NotYours { .. })
        ));
        for role in [Role::Supervisor, Role::Admin] {
            assert!(check_reassign(TICKET, owned, SAM, role, &billing).is_ok());
            assert!(check_reassign(TICKET, pending, SAM, role, &billing).is_ok());
        }
        assert_eq!(
            check_reassign(TICKET, at(TicketState::Closed), SAM, Role::Admin, &billing),
            Err(DomainError::Closed(TICKET))
        );
    }

    #[test]
    fn the_agent_must_work_in_the_target_department() {
        let owned = at(TicketState::Accepted { owner: ALICE });
        assert_eq!(
            check_reassign(TICKET, owned, ALICE, Role::Agent, &to(GENERAL, Some(BOB))),
            Err(DomainError::NotInDepartment {
                agent: "Bob".to_owned(),
                department: "Billing".to_owned()
            })
        );
    }

    #[test]
    fn reassigning_a_ticket_to_where_it_is_changes_nothing() {
        let pending = at(TicketState::Pending);
        assert_eq!(
            check_reassign(TICKET, pending, SAM, Role::Supervisor, &to(GENERAL, None)),
            Err(DomainError::NothingToChange(TICKET))
        );
        let bobs = Place {
            state: TicketState::Accepted { owner: BOB },
            department: BILLING,
        };
        assert_eq!(
            check_reassign(TICKET, bobs, BOB, Role::Agent, &to(BILLING, Some(BOB))),
            Err(DomainError::NothingToChange(TICKET))
        );
        let owned = at(TicketState::Accepted { owner: ALICE });
        assert!(
            check_reassign(TICKET, owned, ALICE, Role::Agent, &to(GENERAL, None)).is_ok(),
            "to the same department without an agent: back to its queue"
        );
    }

    #[test]
    fn a_note_is_optional_trimmed_and_bounded() {
        assert_eq!(reassign_note(None), Ok(None));
        assert_eq!(reassign_note(Some(" \n ")), Ok(None));
        assert_eq!(
            reassign_note(Some(" wants a refund ")),
            Ok(Some("wants a refund".to_owned()))
        );
        assert!(reassign_note(Some(&"é".repeat(MAX_REASSIGN_NOTE_CHARS))).is_ok());
        assert!(reassign_note(Some(&"x".repeat(MAX_REASSIGN_NOTE_CHARS + 1))).is_err());
    }
}
