//! Priorities and first-response targets: which waiting customer comes first, and when a wait has
//! gone on too long.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{DeriveActiveEnum, EnumIter};

use super::{TicketState, TicketStatus};

/// How urgent a department's or a client's tickets are; a ticket has the higher of its client's
/// and its department's. Stored as 0, 1, 2 so the queue's index orders by it.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(rs_type = "i32", db_type = "Integer")]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    #[default]
    #[sea_orm(num_value = 0)]
    Normal,
    #[sea_orm(num_value = 1)]
    Priority,
    #[sea_orm(num_value = 2)]
    Vip,
}

impl Priority {
    /// The value stored in the `priority` columns.
    pub fn rank(self) -> i32 {
        match self {
            Self::Normal => 0,
            Self::Priority => 1,
            Self::Vip => 2,
        }
    }

    /// The priority a stored rank stands for (an unknown rank counts as normal).
    pub fn from_rank(rank: i32) -> Self {
        match rank {
            2 => Self::Vip,
            1 => Self::Priority,
            _ => Self::Normal,
        }
    }
}

/// The longest first-response target: 30 days.
pub const MAX_TARGET_SECS: i32 = 30 * 24 * 60 * 60;

/// Checks a first-response target in seconds: 1 second to 30 days.
pub fn first_response_target(secs: i32) -> Result<i32, String> {
    if (1..=MAX_TARGET_SECS).contains(&secs) {
        Ok(secs)
    } else {
        Err(format!(
            "first_response_target_secs must be between 1 and {MAX_TARGET_SECS}, or null for none"
        ))
    }
}

/// Which wait went past the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreachKind {
    /// A Pending ticket nobody accepted in time.
    FirstResponse,
    /// An accepted ticket whose customer waits for the agent's reply.
    Reply,
}

/// A wait that went past its department's target: which wait, and since when the customer waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Breach {
    pub kind: BreachKind,
    pub since: DateTime<Utc>,
}

/// The wait a ticket's customer is in now, as the target measures it: a Pending ticket waits
/// since it was opened; an accepted one since the customer's first unanswered message (none
/// when the last word was the agent's); a closed one does not wait.
pub fn current_wait(
    state: TicketState,
    created_at: DateTime<Utc>,
    awaiting_reply_since: Option<DateTime<Utc>>,
) -> Option<(BreachKind, DateTime<Utc>)> {
    match state.status() {
        TicketStatus::Pending => Some((BreachKind::FirstResponse, created_at)),
        TicketStatus::Accepted => awaiting_reply_since.map(|since| (BreachKind::Reply, since)),
        TicketStatus::Closed => None,
    }
}

/// Whether a wait that began at `since` is past a target of `target_secs` at `now`.
pub fn past_target(since: DateTime<Utc>, target_secs: i32, now: DateTime<Utc>) -> bool {
    now - since >= TimeDelta::seconds(i64::from(target_secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AgentId;

    #[test]
    fn vip_outranks_priority_outranks_normal() {
        assert!(Priority::Vip > Priority::Priority);
        assert!(Priority::Priority > Priority::Normal);
        for p in [Priority::Normal, Priority::Priority, Priority::Vip] {
            assert_eq!(Priority::from_rank(p.rank()), p);
        }
    }

    #[test]
    fn a_pending_ticket_waits_since_it_opened_and_an_answered_one_not_at_all() {
        let opened = Utc::now() - TimeDelta::minutes(10);
        let asked = Utc::now() - TimeDelta::minutes(3);
        assert_eq!(
            current_wait(TicketState::Pending, opened, Some(asked)),
            Some((BreachKind::FirstResponse, opened))
        );
        let accepted = TicketState::Accepted { owner: AgentId(1) };
        assert_eq!(
            current_wait(accepted, opened, Some(asked)),
            Some((BreachKind::Reply, asked))
        );
        assert_eq!(current_wait(accepted, opened, None), None);
        assert_eq!(current_wait(TicketState::Closed, opened, Some(asked)), None);
    }

    #[test]
    fn a_wait_is_past_its_target_from_the_target_on() {
        let since = Utc::now();
        assert!(!past_target(since, 60, since + TimeDelta::seconds(59)));
        assert!(past_target(since, 60, since + TimeDelta::seconds(60)));
        assert!(first_response_target(0).is_err());
        assert!(first_response_target(MAX_TARGET_SECS + 1).is_err());
        assert_eq!(first_response_target(300), Ok(300));
    }
}
