//! Lifecycle timers: the per-department settings, the hold states an agent may put an accepted
//! ticket in, and who may do so.

use sea_orm::entity::prelude::*;

use super::{AgentId, DomainError, Role, Ticket, TicketState};

/// The longest idle timer (a year of hours).
pub const MAX_TIMER_HOURS: i32 = 8760;
/// The longest hold before auto-close.
pub const MAX_HOLD_DAYS: i32 = 365;

/// A state an accepted ticket may wait in until its customer answers; it auto-closes after its
/// department's number of days, and any customer message clears it.
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
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
#[serde(rename_all = "snake_case")]
pub enum HoldState {
    /// The agent asked the customer something and waits for the answer.
    #[sea_orm(string_value = "waiting_customer")]
    WaitingCustomer,
    /// The agent suggested a solution and waits to hear whether it worked.
    #[sea_orm(string_value = "solution_suggested")]
    SolutionSuggested,
}

/// A department's timers; None is off (for the reopen window: the global setting).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TimerSettings {
    /// Hours after the customer's last message (once an agent answered it) until the bot
    /// reminds the customer.
    pub idle_reminder_hours: Option<i32>,
    /// Hours after the customer's last message (once an agent answered it) until the ticket
    /// closes as idle.
    pub idle_close_hours: Option<i32>,
    /// Days a ticket waits for its customer before it closes as idle.
    pub waiting_close_days: Option<i32>,
    /// Days a ticket with a suggested solution waits before it closes as resolved.
    pub solution_close_days: Option<i32>,
    /// Hours after a close during which a customer's message reopens the ticket (0: never).
    pub reopen_window_hours: Option<i32>,
}

impl TimerSettings {
    /// Checks settings an admin typed: positive whole hours or days within a year (the reopen
    /// window may be 0), and an idle close after the idle reminder.
    pub fn checked(self) -> Result<Self, String> {
        let range = |name: &str, value: Option<i32>, min: i32, max: i32| match value {
            Some(v) if !(min..=max).contains(&v) => {
                Err(format!("{name} is a whole number from {min} to {max}"))
            }
            _ => Ok(()),
        };
        range(
            "idle_reminder_hours",
            self.idle_reminder_hours,
            1,
            MAX_TIMER_HOURS,
        )?;
        range(
            "idle_close_hours",
            self.idle_close_hours,
            1,
            MAX_TIMER_HOURS,
        )?;
        range(
            "waiting_close_days",
            self.waiting_close_days,
            1,
            MAX_HOLD_DAYS,
        )?;
        range(
            "solution_close_days",
            self.solution_close_days,
            1,
            MAX_HOLD_DAYS,
        )?;
        range(
            "reopen_window_hours",
            self.reopen_window_hours,
            0,
            MAX_TIMER_HOURS,
        )?;
        if let (Some(remind), Some(close)) = (self.idle_reminder_hours, self.idle_close_hours)
            && close <= remind
        {
            return Err("idle_close_hours must be more than idle_reminder_hours".to_owned());
        }
        Ok(self)
    }
}

/// Decides whether `agent` (of `role`) may put `ticket` in a hold state or take it out: only an
/// accepted ticket, by its owner or a supervisor or admin.
pub fn check_hold(ticket: &Ticket, agent: AgentId, role: Role) -> Result<(), DomainError> {
    match ticket.state {
        TicketState::Closed => Err(DomainError::Closed(ticket.id)),
        TicketState::Pending => Err(DomainError::AlreadyPending(ticket.id)),
        TicketState::Accepted { owner } if owner == agent || role.sees_all_departments() => Ok(()),
        TicketState::Accepted { .. } => Err(DomainError::NotYours {
            ticket: ticket.id,
            action: "set the state of",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_close_before_its_reminder_is_refused() {
        let settings = TimerSettings {
            idle_reminder_hours: Some(24),
            idle_close_hours: Some(12),
            ..TimerSettings::default()
        };
        assert!(settings.checked().is_err());
        let settings = TimerSettings {
            reopen_window_hours: Some(0),
            waiting_close_days: Some(0),
            ..TimerSettings::default()
        };
        assert!(settings.checked().is_err());
    }
}
