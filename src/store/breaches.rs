//! Breaches of first-response targets: finding the waits past their target whose breach is not
//! recorded, and recording one with a conditional update, so it is alerted once however many
//! instances check at the same moment.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};

use super::entity::{department, ticket};
use crate::domain::{DepartmentId, Ticket, TicketId, TicketStatus};

/// The departments that have a first-response target, with it in seconds.
pub async fn targets<C>(c: &C) -> Result<Vec<(DepartmentId, i32)>, DbErr>
where
    C: ConnectionTrait,
{
    let rows: Vec<(DepartmentId, Option<i32>)> = department::Entity::find()
        .select_only()
        .column(department::Column::Id)
        .column(department::Column::FirstResponseTargetSecs)
        .filter(department::Column::FirstResponseTargetSecs.is_not_null())
        .into_tuple()
        .all(c)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, secs)| Some((id, secs?)))
        .collect())
}

/// Up to `limit` open tickets whose customer waited past their department's target at `now`
/// and whose breach is not recorded yet, oldest first.
pub async fn unrecorded<C>(
    c: &C,
    targets: &[(DepartmentId, i32)],
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Ticket>, DbErr>
where
    C: ConnectionTrait,
{
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    ticket::Entity::find()
        .filter(super::board::waited_too_long(targets, now, true))
        .order_by_asc(ticket::Column::Id)
        .limit(limit)
        .all(c)
        .await?
        .into_iter()
        .map(super::tickets::parse)
        .collect()
}

/// Records that the wait of ticket `id` that began at `since` breached its target: true only
/// for the one caller that records it (the ticket is still in that wait, in that status, and
/// the breach is not recorded yet). One conditional update decides it.
pub async fn record<C>(
    c: &C,
    id: TicketId,
    status: TicketStatus,
    since: DateTime<Utc>,
) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let since_column = match status {
        TicketStatus::Pending => ticket::Column::CreatedAt,
        _ => ticket::Column::AwaitingReplySince,
    };
    let result = ticket::Entity::update_many()
        .col_expr(ticket::Column::BreachedSince, Expr::value(since))
        .filter(ticket::Column::Id.eq(id))
        .filter(ticket::Column::Status.eq(status))
        .filter(since_column.eq(since))
        .filter(super::board::not_recorded(since_column))
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}
