//! Lifecycle timers and business hours: a department's settings, the tickets whose timer is due,
//! and the claims that make each firing happen once, on SQLite and across instances on
//! PostgreSQL (one conditional update each; the loser changes no row).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, sea_query::Expr,
};

use super::entity::{department, ticket};
use crate::domain::{DepartmentId, HoldState, TicketId, TicketStatus};

/// How many due tickets one pass handles per timer and department.
pub const DUE_BATCH: u64 = 100;

/// Changes to a department's timers and hours; None leaves a value, Some(None) clears it.
#[derive(Debug, Clone, Default)]
pub struct TimerPatch {
    pub idle_reminder_hours: Option<Option<i32>>,
    pub idle_close_hours: Option<Option<i32>>,
    pub waiting_close_days: Option<Option<i32>>,
    pub solution_close_days: Option<Option<i32>>,
    pub reopen_window_hours: Option<Option<i32>>,
    /// The business hours as JSON.
    pub business_hours: Option<Option<String>>,
}

impl TimerPatch {
    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.idle_reminder_hours.is_none()
            && self.idle_close_hours.is_none()
            && self.waiting_close_days.is_none()
            && self.solution_close_days.is_none()
            && self.reopen_window_hours.is_none()
            && self.business_hours.is_none()
    }
}

/// Applies `patch` to department `id`; false when there is no such department.
pub async fn update<C>(c: &C, id: DepartmentId, patch: TimerPatch) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let Some(found) = department::Entity::find_by_id(id).one(c).await? else {
        return Ok(false);
    };
    if patch.is_empty() {
        return Ok(true);
    }
    let mut row: department::ActiveModel = found.into();
    if let Some(v) = patch.idle_reminder_hours {
        row.idle_reminder_hours = Set(v);
    }
    if let Some(v) = patch.idle_close_hours {
        row.idle_close_hours = Set(v);
    }
    if let Some(v) = patch.waiting_close_days {
        row.waiting_close_days = Set(v);
    }
    if let Some(v) = patch.solution_close_days {
        row.solution_close_days = Set(v);
    }
    if let Some(v) = patch.reopen_window_hours {
        row.reopen_window_hours = Set(v);
    }
    if let Some(v) = patch.business_hours {
        row.business_hours = Set(v);
    }
    row.update(c).await?;
    Ok(true)
}

/// Departments with at least one ticket timer on.
pub async fn timed_departments<C>(c: &C) -> Result<Vec<department::Model>, DbErr>
where
    C: ConnectionTrait,
{
    department::Entity::find()
        .filter(
            Condition::any()
                .add(department::Column::IdleReminderHours.is_not_null())
                .add(department::Column::IdleCloseHours.is_not_null())
                .add(department::Column::WaitingCloseDays.is_not_null())
                .add(department::Column::SolutionCloseDays.is_not_null()),
        )
        .order_by_asc(department::Column::Id)
        .all(c)
        .await
}

/// Accepted tickets of `department` whose customer last wrote at or before `before` and whose
/// last word is an agent's, not on hold; `unreminded` keeps only those not reminded yet.
pub async fn idle_due<C>(
    c: &C,
    department: DepartmentId,
    before: DateTime<Utc>,
    unreminded: bool,
) -> Result<Vec<ticket::Model>, DbErr>
where
    C: ConnectionTrait,
{
    let mut query = ticket::Entity::find()
        .filter(ticket::Column::DepartmentId.eq(department))
        .filter(ticket::Column::Status.eq(TicketStatus::Accepted))
        .filter(ticket::Column::AwaitingReplySince.is_null())
        .filter(ticket::Column::HoldState.is_null())
        .filter(ticket::Column::CustomerWroteAt.lte(before));
    if unreminded {
        query = query.filter(ticket::Column::IdleRemindedAt.is_null());
    }
    query
        .order_by_asc(ticket::Column::CustomerWroteAt)
        .limit(DUE_BATCH)
        .all(c)
        .await
}

/// Accepted tickets of `department` held in `state` since at or before `before`.
pub async fn hold_due<C>(
    c: &C,
    department: DepartmentId,
    state: HoldState,
    before: DateTime<Utc>,
) -> Result<Vec<ticket::Model>, DbErr>
where
    C: ConnectionTrait,
{
    ticket::Entity::find()
        .filter(ticket::Column::DepartmentId.eq(department))
        .filter(ticket::Column::Status.eq(TicketStatus::Accepted))
        .filter(ticket::Column::HoldState.eq(state))
        .filter(ticket::Column::HoldSince.lte(before))
        .order_by_asc(ticket::Column::HoldSince)
        .limit(DUE_BATCH)
        .all(c)
        .await
}

/// Claims the idle reminder of `seen` (as the due query read it): true for exactly one caller,
/// and only while its customer has not written since and nobody reminded them.
pub async fn claim_reminder<C>(
    c: &C,
    seen: &ticket::Model,
    now: DateTime<Utc>,
) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let result = idle_unchanged(ticket::Entity::update_many(), seen)
        .col_expr(ticket::Column::IdleRemindedAt, Expr::value(Some(now)))
        .filter(ticket::Column::IdleRemindedAt.is_null())
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Claims the idle close of `seen`: true for exactly one caller, and only while it is as the due
/// query read it (same owner, customer silent, no hold). Holds the row until the transaction
/// ends, so the close that follows cannot be overtaken.
pub async fn claim_idle_close<C>(
    c: &C,
    seen: &ticket::Model,
    now: DateTime<Utc>,
) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let result = idle_unchanged(ticket::Entity::update_many(), seen)
        .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Claims the auto-close of a held ticket `seen`: true for exactly one caller, and only while it
/// still holds in the same state since the same time, with the same owner.
pub async fn claim_hold_close<C>(
    c: &C,
    seen: &ticket::Model,
    now: DateTime<Utc>,
) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let (Some(state), Some(since)) = (seen.hold_state, seen.hold_since) else {
        return Ok(false);
    };
    let result = ticket::Entity::update_many()
        .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
        .filter(ticket::Column::Id.eq(seen.id))
        .filter(ticket::Column::Status.eq(TicketStatus::Accepted))
        .filter(owner_is(seen))
        .filter(ticket::Column::HoldState.eq(state))
        .filter(ticket::Column::HoldSince.eq(since))
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Puts accepted ticket `id` of `owner` in `state` (None: back to normal working) at `now`; false
/// when it is no longer accepted by that owner.
pub async fn set_hold<C>(
    c: &C,
    id: TicketId,
    owner: crate::domain::AgentId,
    state: Option<HoldState>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let result = ticket::Entity::update_many()
        .col_expr(ticket::Column::HoldState, Expr::value(state))
        .col_expr(ticket::Column::HoldSince, Expr::value(state.map(|_| now)))
        .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
        .filter(ticket::Column::Id.eq(id))
        .filter(ticket::Column::Status.eq(TicketStatus::Accepted))
        .filter(ticket::Column::OwnerId.eq(owner))
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Claims the away notice of ticket `id`: true once per ticket (until a reopen).
pub async fn claim_away_notice<C>(c: &C, id: TicketId, now: DateTime<Utc>) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let result = ticket::Entity::update_many()
        .col_expr(ticket::Column::AwayNoticeAt, Expr::value(Some(now)))
        .filter(ticket::Column::Id.eq(id))
        .filter(ticket::Column::AwayNoticeAt.is_null())
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The conditions under which an idle timer read as `seen` still applies.
fn idle_unchanged(
    update: sea_orm::UpdateMany<ticket::Entity>,
    seen: &ticket::Model,
) -> sea_orm::UpdateMany<ticket::Entity> {
    let wrote = match seen.customer_wrote_at {
        Some(at) => ticket::Column::CustomerWroteAt.eq(at),
        None => ticket::Column::CustomerWroteAt.is_null(),
    };
    update
        .filter(ticket::Column::Id.eq(seen.id))
        .filter(ticket::Column::Status.eq(TicketStatus::Accepted))
        .filter(owner_is(seen))
        .filter(ticket::Column::AwaitingReplySince.is_null())
        .filter(ticket::Column::HoldState.is_null())
        .filter(wrote)
}

fn owner_is(seen: &ticket::Model) -> sea_orm::sea_query::SimpleExpr {
    match seen.owner_id {
        Some(owner) => ticket::Column::OwnerId.eq(owner),
        None => ticket::Column::OwnerId.is_null(),
    }
}
