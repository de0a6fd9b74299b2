//! Lifecycle timers and business hours: a department's timer settings and hours (admins), the
//! hold states of accepted tickets, and the pass that fires due timers (idle reminder, idle
//! close, auto-close of held tickets). Every firing is claimed by one conditional update, so it
//! happens once however many instances run the pass; due times derive from stored timestamps,
//! so they survive restarts.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use super::{Actor, Service, ServiceError, record_customer_notice, tickets::actionable_ticket};
use crate::{
    domain::{
        self, BusinessHours, ChangeKind, CloseReason, DepartmentId, HoldState, Place, TicketId,
        TicketState, TimerSettings,
    },
    store::{
        self,
        changes::NewChange,
        entity::{department, ticket},
        tickets::Closing,
        timers::TimerPatch,
    },
    texts::Text,
    views::TicketView,
};

/// Changes to a department's timers and business hours, as typed by an admin: a missing field
/// stays, `null` turns a timer off (the reopen window: back to the global setting; the hours:
/// always open).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct TimerChanges {
    #[serde(default, deserialize_with = "present")]
    pub idle_reminder_hours: Option<Option<i32>>,
    #[serde(default, deserialize_with = "present")]
    pub idle_close_hours: Option<Option<i32>>,
    #[serde(default, deserialize_with = "present")]
    pub waiting_close_days: Option<Option<i32>>,
    #[serde(default, deserialize_with = "present")]
    pub solution_close_days: Option<Option<i32>>,
    #[serde(default, deserialize_with = "present")]
    pub reopen_window_hours: Option<Option<i32>>,
    #[serde(default, deserialize_with = "present")]
    pub business_hours: Option<Option<BusinessHours>>,
}

/// What one pass of the timers did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimersRun {
    pub reminded: usize,
    pub closed: usize,
}

/// A field that is present (even as `null`) is Some.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

impl Service {
    /// Runs every due timer at the clock's time: reminds idle customers, closes idle tickets and
    /// held tickets past their department's days. Safe to run on several instances at once.
    pub async fn run_timers(&self) -> Result<TimersRun, ServiceError> {
        let now = self.clock.now();
        let mut run = TimersRun::default();
        for department in store::timers::timed_departments(&self.db).await? {
            let settings = settings_of(&department);
            if let Some(hours) = settings.idle_close_hours {
                let before = now - TimeDelta::hours(i64::from(hours));
                for seen in store::timers::idle_due(&self.db, department.id, before, false).await? {
                    run.closed += usize::from(self.idle_close(seen, now).await?);
                }
            }
            if let Some(hours) = settings.idle_reminder_hours {
                let before = now - TimeDelta::hours(i64::from(hours));
                for seen in store::timers::idle_due(&self.db, department.id, before, true).await? {
                    run.reminded += usize::from(self.idle_remind(seen, now).await?);
                }
            }
            let holds = [
                (HoldState::WaitingCustomer, settings.waiting_close_days),
                (HoldState::SolutionSuggested, settings.solution_close_days),
            ];
            for (state, days) in holds {
                let Some(days) = days else { continue };
                let before = now - TimeDelta::days(i64::from(days));
                for seen in store::timers::hold_due(&self.db, department.id, state, before).await? {
                    run.closed += usize::from(self.hold_close(seen, state, now).await?);
                }
            }
        }
        if run != TimersRun::default() {
            tracing::info!(reminded = run.reminded, closed = run.closed, "timers fired");
        }
        Ok(run)
    }

    /// Puts an accepted ticket in a hold state, or back to normal working (None). Its owner may;
    /// supervisors and admins may for any ticket they see.
    pub async fn set_hold(
        &self,
        actor: &Actor,
        id: TicketId,
        state: Option<HoldState>,
    ) -> Result<TicketView, ServiceError> {
        let txn = store::begin_write(&self.db).await?;
        let ticket = actionable_ticket(&txn, actor, id).await?;
        if let Err(refusal) = domain::check_hold(&ticket, actor.agent.id, actor.agent.role) {
            drop(txn);
            return Err(self.refusal(ticket, refusal).await);
        }
        let Some(owner) = ticket.state.owner() else {
            return Err(ServiceError::bug(format!(
                "accepted ticket {id} has no owner"
            )));
        };
        if ticket.hold.map(|(held, _)| held) == state {
            let view = store::tickets::view(&txn, ticket).await?;
            return Ok(view);
        }
        let now = self.clock.now();
        if !store::timers::set_hold(&txn, id, owner, state, now).await? {
            drop(txn);
            return Err(self.lost_race(actor, id).await);
        }
        let view = self.fresh_view(&txn, id).await?;
        let event = super::record_ticket_updated(&view, None)?;
        self.commit(txn, vec![event]).await?;
        tracing::info!(ticket.id = %id, agent.id = %actor.agent.id, ?state, "ticket hold set");
        Ok(view)
    }

    /// Checks changes to a department's timers and business hours against what it has now, and
    /// returns the update to make; refuses bad values and an unknown department.
    pub(super) async fn timer_patch(
        db: &sea_orm::DatabaseConnection,
        id: DepartmentId,
        changes: TimerChanges,
    ) -> Result<TimerPatch, ServiceError> {
        let Some(row) = store::departments::find(db, id).await? else {
            return Err(ServiceError::NotFound);
        };
        let current = settings_of(&row);
        let merged = TimerSettings {
            idle_reminder_hours: changes
                .idle_reminder_hours
                .unwrap_or(current.idle_reminder_hours),
            idle_close_hours: changes.idle_close_hours.unwrap_or(current.idle_close_hours),
            waiting_close_days: changes
                .waiting_close_days
                .unwrap_or(current.waiting_close_days),
            solution_close_days: changes
                .solution_close_days
                .unwrap_or(current.solution_close_days),
            reopen_window_hours: changes
                .reopen_window_hours
                .unwrap_or(current.reopen_window_hours),
        };
        merged.checked().map_err(ServiceError::Invalid)?;
        let business_hours = match changes.business_hours {
            None => None,
            Some(None) => Some(None),
            Some(Some(hours)) => {
                let hours = hours.checked().map_err(ServiceError::Invalid)?;
                let json = serde_json::to_string(&hours)
                    .map_err(|e| ServiceError::bug(format!("business hours as JSON: {e}")))?;
                Some(Some(json))
            }
        };
        Ok(TimerPatch {
            idle_reminder_hours: changes.idle_reminder_hours,
            idle_close_hours: changes.idle_close_hours,
            waiting_close_days: changes.waiting_close_days,
            solution_close_days: changes.solution_close_days,
            reopen_window_hours: changes.reopen_window_hours,
            business_hours,
        })
    }

    /// How long after a close in `department` a customer's message reopens the ticket: the
    /// department's window, else the global one.
    pub(super) async fn reopen_window_of<C>(
        &self,
        c: &C,
        department: DepartmentId,
    ) -> Result<TimeDelta, ServiceError>
    where
        C: ConnectionTrait,
    {
        let row = store::departments::find(c, department).await?;
        Ok(match row.and_then(|d| d.reopen_window_hours) {
            Some(hours) => TimeDelta::hours(i64::from(hours)),
            None => self.reopen_window,
        })
    }

    /// The "we're away until …" text for ticket `id` that a customer message just opened in
    /// `department`, when the department is outside its business hours at `now` and the ticket
    /// has not had it yet (once per ticket).
    pub(super) async fn away_notice<C>(
        &self,
        c: &C,
        id: TicketId,
        department: DepartmentId,
        language: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, ServiceError>
    where
        C: ConnectionTrait,
    {
        let Some(row) = store::departments::find(c, department).await? else {
            return Ok(None);
        };
        let Some(Some(reopening)) = hours_of(&row).and_then(|hours| hours.closed_at(now)) else {
            return Ok(None);
        };
        if !store::timers::claim_away_notice(c, id, now).await? {
            return Ok(None);
        }
        let until = reopening.describe(language);
        Ok(Some(self.texts.render(
            Text::Away,
            language,
            &[("until", &until)],
        )))
    }

    async fn idle_remind(
        &self,
        seen: ticket::Model,
        now: DateTime<Utc>,
    ) -> Result<bool, ServiceError> {
        let txn = store::begin_write(&self.db).await?;
        if !store::timers::claim_reminder(&txn, &seen, now).await? {
            return Ok(false);
        }
        let view = self.fresh_view(&txn, seen.id).await?;
        let number = seen.id.to_string();
        let event = record_customer_notice(
            &txn,
            &self.texts,
            &view,
            Text::IdleReminder,
            &[("number", number.as_str())],
            now,
        )
        .await?;
        self.commit(txn, vec![event]).await?;
        self.outbox.wake();
        tracing::info!(ticket.id = %seen.id, "idle reminder sent");
        Ok(true)
    }

    async fn idle_close(
        &self,
        seen: ticket::Model,
        now: DateTime<Utc>,
    ) -> Result<bool, ServiceError> {
        let txn = store::begin_write(&self.db).await?;
        if !store::timers::claim_idle_close(&txn, &seen, now).await? {
            return Ok(false);
        }
        self.auto_close(txn, &seen, CloseReason::Idle, now).await
    }

    async fn hold_close(
        &self,
        seen: ticket::Model,
        state: HoldState,
        now: DateTime<Utc>,
    ) -> Result<bool, ServiceError> {
        let txn = store::begin_write(&self.db).await?;
        if !store::timers::claim_hold_close(&txn, &seen, now).await? {
            return Ok(false);
        }
        let reason = match state {
            HoldState::WaitingCustomer => CloseReason::Idle,
            HoldState::SolutionSuggested => CloseReason::Resolved,
        };
        self.auto_close(txn, &seen, reason, now).await
    }

    /// Closes a claimed ticket for a timer through the same steps as an agent's close: the
    /// timeline entry (by nobody), the live event, the customer told.
    async fn auto_close(
        &self,
        txn: DatabaseTransaction,
        seen: &ticket::Model,
        reason: CloseReason,
        now: DateTime<Utc>,
    ) -> Result<bool, ServiceError> {
        let Some(owner) = seen.owner_id else {
            return Ok(false);
        };
        let from = Place {
            state: TicketState::Accepted { owner },
            department: seen.department_id,
        };
        let closing = Closing {
            reason,
            comment: None,
        };
        let to = from.with_state(TicketState::Closed);
        if !store::tickets::transition(&txn, seen.id, from, to, Some(closing), now).await? {
            return Ok(false);
        }
        let change = NewChange {
            from_agent: Some(owner),
            reason: Some(reason),
            ..NewChange::default()
        };
        let (view, mut events) = self
            .record_change(&txn, seen.id, ChangeKind::Closed, change, now)
            .await?;
        let number = seen.id.to_string();
        let bye = [("number", number.as_str())];
        events
            .push(record_customer_notice(&txn, &self.texts, &view, Text::Closed, &bye, now).await?);
        // The rating question and the staff chat's transcript follow every close.
        self.after_close(&txn, &view, Some(owner), now, &mut events)
            .await?;
        self.commit(txn, events).await?;
        self.outbox.wake();
        tracing::info!(ticket.id = %seen.id, ?reason, "ticket closed by its timer");
        Ok(true)
    }

    pub(super) async fn fresh_view<C>(
        &self,
        c: &C,
        id: TicketId,
    ) -> Result<TicketView, ServiceError>
    where
        C: ConnectionTrait,
    {
        let ticket = store::tickets::find(c, id)
            .await?
            .ok_or_else(|| ServiceError::bug(format!("ticket {id} vanished")))?;
        Ok(store::tickets::view(c, ticket).await?)
    }
}

/// A department row's timer settings.
pub(super) fn settings_of(row: &department::Model) -> TimerSettings {
    TimerSettings {
        idle_reminder_hours: row.idle_reminder_hours,
        idle_close_hours: row.idle_close_hours,
        waiting_close_days: row.waiting_close_days,
        solution_close_days: row.solution_close_days,
        reopen_window_hours: row.reopen_window_hours,
    }
}

/// A department row's business hours (a stored value that no longer parses counts as none).
pub(super) fn hours_of(row: &department::Model) -> Option<BusinessHours> {
    let json = row.business_hours.as_deref()?;
    match serde_json::from_str(json) {
        Ok(hours) => Some(hours),
        Err(error) => {
            tracing::warn!(department.id = %row.id, %error, "stored business hours do not parse");
            None
        }
    }
}
