//! The gauges `/metrics` reads from the database, each one cheap: open tickets by state (the
//! partial index of open tickets), the oldest wait of each department's queue (the queue index),
//! and the outbox's depth and oldest message (the outbox's partial index).

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
    sea_query::{Expr, Func},
};

use super::entity::{message, ticket};
use crate::domain::{DeliveryState, DepartmentId, TicketStatus};

/// The figures of the database at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gauges {
    /// Open tickets per state (closed ones are not counted: they only grow).
    pub open_tickets: Vec<(TicketStatus, i64)>,
    /// Per department with Pending tickets: since when its longest-waiting one waits (since the
    /// customer's first unanswered message, or its last change when it has none).
    pub oldest_pending: Vec<(DepartmentId, DateTime<Utc>)>,
    /// Outbound messages not yet delivered, and when the oldest of them was stored.
    pub outbox: (i64, Option<DateTime<Utc>>),
}

#[derive(FromQueryResult)]
struct StatusCount {
    status: TicketStatus,
    n: i64,
}

#[derive(FromQueryResult)]
struct Oldest {
    department_id: DepartmentId,
    since: Option<DateTime<Utc>>,
}

#[derive(FromQueryResult)]
struct Outbox {
    n: i64,
    oldest: Option<DateTime<Utc>>,
}

/// Reads the gauges (three small queries).
pub async fn read<C>(c: &C) -> Result<Gauges, DbErr>
where
    C: ConnectionTrait,
{
    let open_tickets = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::Status)
        .column_as(Expr::from(Func::count(Expr::col(ticket::Column::Id))), "n")
        .filter(ticket::Column::Status.ne(TicketStatus::Closed))
        .group_by(ticket::Column::Status)
        .into_model::<StatusCount>()
        .all(c)
        .await?
        .into_iter()
        .map(|row| (row.status, row.n))
        .collect();
    let oldest_pending = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::DepartmentId)
        .column_as(
            Expr::from(Func::min(Func::coalesce([
                Expr::col(ticket::Column::AwaitingReplySince),
                Expr::col(ticket::Column::UpdatedAt),
            ]))),
            "since",
        )
        .filter(ticket::Column::Status.eq(TicketStatus::Pending))
        .group_by(ticket::Column::DepartmentId)
        .into_model::<Oldest>()
        .all(c)
        .await?
        .into_iter()
        .filter_map(|row| Some((row.department_id, row.since?)))
        .collect();
    let outbox = message::Entity::find()
        .select_only()
        .column_as(Expr::from(Func::count(Expr::col(message::Column::Id))), "n")
        .column_as(
            Expr::from(Func::min(Expr::col(message::Column::CreatedAt))),
            "oldest",
        )
        .filter(message::Column::Delivery.is_in([DeliveryState::Queued, DeliveryState::Sending]))
        .into_model::<Outbox>()
        .one(c)
        .await?
        .map_or((0, None), |row| (row.n, row.oldest));
    Ok(Gauges {
        open_tickets,
        oldest_pending,
        outbox,
    })
}
