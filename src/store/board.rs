//! The supervisor board's figures, each one grouped query over the open tickets (served by
//! `idx_tickets_priority_queue`, `idx_tickets_awaiting` and `idx_tickets_owner`), never one query
//! per department or agent.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use super::entity::ticket;
use crate::domain::{AgentId, DepartmentId, TicketStatus};

/// A department's Pending count and the creation time of its oldest Pending ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingFigures {
    pub count: u64,
    pub oldest: Option<DateTime<Utc>>,
}

/// Pending count and oldest wait per department (departments without Pending tickets missing).
pub async fn pending<C>(c: &C) -> Result<HashMap<DepartmentId, PendingFigures>, DbErr>
where
    C: ConnectionTrait,
{
    let rows: Vec<(DepartmentId, i64, Option<DateTime<Utc>>)> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::DepartmentId)
        .column_as(ticket::Column::Id.count(), "count")
        .column_as(ticket::Column::CreatedAt.min(), "oldest")
        .filter(ticket::Column::Status.eq(TicketStatus::Pending))
        .group_by(ticket::Column::DepartmentId)
        .into_tuple()
        .all(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(department, count, oldest)| {
            let count = u64::try_from(count).unwrap_or_default();
            (department, PendingFigures { count, oldest })
        })
        .collect())
}

/// How many accepted tickets each agent holds, per department: (department, agent) → count.
pub async fn held<C>(c: &C) -> Result<HashMap<(DepartmentId, AgentId), u64>, DbErr>
where
    C: ConnectionTrait,
{
    let rows: Vec<(DepartmentId, Option<AgentId>, i64)> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::DepartmentId)
        .column(ticket::Column::OwnerId)
        .column_as(ticket::Column::Id.count(), "count")
        .filter(ticket::Column::Status.eq(TicketStatus::Accepted))
        .group_by(ticket::Column::DepartmentId)
        .group_by(ticket::Column::OwnerId)
        .into_tuple()
        .all(c)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(department, owner, count)| {
            Some((
                (department, owner?),
                u64::try_from(count).unwrap_or_default(),
            ))
        })
        .collect())
}

/// The open tickets whose customer has waited past their department's target at `now`: Pending
/// ones since they opened, accepted ones since the customer's first unanswered message. Per
/// department, for the departments in `targets` (department → target in seconds).
pub async fn past_target<C>(
    c: &C,
    targets: &[(DepartmentId, i32)],
    now: DateTime<Utc>,
) -> Result<HashMap<DepartmentId, u64>, DbErr>
where
    C: ConnectionTrait,
{
    if targets.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(DepartmentId, i64)> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::DepartmentId)
        .column_as(ticket::Column::Id.count(), "count")
        .filter(waited_too_long(targets, now, false))
        .group_by(ticket::Column::DepartmentId)
        .into_tuple()
        .all(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(department, count)| (department, u64::try_from(count).unwrap_or_default()))
        .collect())
}

/// The condition "an open ticket of one of these departments whose customer waited past its
/// target at `now`"; with `unrecorded`, only waits whose breach is not recorded yet.
pub fn waited_too_long(
    targets: &[(DepartmentId, i32)],
    now: DateTime<Utc>,
    unrecorded: bool,
) -> Condition {
    let mut any = Condition::any();
    for &(department, secs) in targets {
        let cutoff = now - TimeDelta::seconds(i64::from(secs));
        let mut pending = Condition::all()
            .add(ticket::Column::Status.eq(TicketStatus::Pending))
            .add(ticket::Column::DepartmentId.eq(department))
            .add(ticket::Column::CreatedAt.lte(cutoff));
        let mut waiting = Condition::all()
            .add(ticket::Column::Status.eq(TicketStatus::Accepted))
            .add(ticket::Column::DepartmentId.eq(department))
            .add(ticket::Column::AwaitingReplySince.lte(cutoff));
        if unrecorded {
            pending = pending.add(not_recorded(ticket::Column::CreatedAt));
            waiting = waiting.add(not_recorded(ticket::Column::AwaitingReplySince));
        }
        any = any.add(pending).add(waiting);
    }
    any
}

/// "The breach of the wait that began at `since` is not recorded yet".
pub fn not_recorded(since: ticket::Column) -> Condition {
    use sea_orm::{ExprTrait, sea_query::Expr};
    Condition::any()
        .add(ticket::Column::BreachedSince.is_null())
        .add(Expr::col(ticket::Column::BreachedSince).ne(Expr::col(since)))
}
