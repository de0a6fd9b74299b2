//! Needs reply: when a ticket's customer started waiting for an agent's answer, kept on the
//! ticket row (`awaiting_reply_since`) so a queue shows it without reading messages. Each write
//! runs in the transaction that stores the message it follows from.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, Func},
};

use super::entity::ticket;
use crate::domain::TicketId;

/// A customer message arrived at `now`: the ticket's activity time moves, and it waits for a
/// reply from `now` unless it already waited (the first unanswered message counts). Its idle
/// timers count from `now` again and any hold state ends.
pub async fn customer_wrote<C>(c: &C, id: TicketId, now: DateTime<Utc>) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    customers_wrote(c, vec![id], now).await
}

/// `customer_wrote` for several tickets at once (one statement).
pub async fn customers_wrote<C>(c: &C, ids: Vec<TicketId>, now: DateTime<Utc>) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    if ids.is_empty() {
        return Ok(());
    }
    ticket::Entity::update_many()
        .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            ticket::Column::AwaitingReplySince,
            Func::coalesce([
                Expr::col(ticket::Column::AwaitingReplySince),
                Expr::value(now),
            ])
            .into(),
        )
        .col_expr(ticket::Column::CustomerWroteAt, Expr::value(Some(now)))
        .col_expr(
            ticket::Column::IdleRemindedAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(
            ticket::Column::HoldState,
            Expr::value(None::<crate::domain::HoldState>),
        )
        .col_expr(
            ticket::Column::HoldSince,
            Expr::value(None::<DateTime<Utc>>),
        )
        .filter(ticket::Column::Id.is_in(ids))
        .exec(c)
        .await?;
    Ok(())
}

/// A ticket was reopened by a customer message at `now`: it waits from `now`, whatever an
/// earlier conversation left; its idle timers count from `now` and the away notice may go out
/// again.
pub async fn reopened<C>(c: &C, id: TicketId, now: DateTime<Utc>) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    ticket::Entity::update_many()
        .col_expr(ticket::Column::AwaitingReplySince, Expr::value(Some(now)))
        .col_expr(ticket::Column::CustomerWroteAt, Expr::value(Some(now)))
        .col_expr(
            ticket::Column::IdleRemindedAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(
            ticket::Column::AwayNoticeAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .filter(ticket::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// An agent's reply was stored at `now`: the ticket's activity time moves and it no longer
/// waits. System notices (acknowledgements, reassign and close notices) do not call this.
pub async fn agent_replied<C>(c: &C, id: TicketId, now: DateTime<Utc>) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    ticket::Entity::update_many()
        .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            ticket::Column::AwaitingReplySince,
            Expr::value(None::<DateTime<Utc>>),
        )
        .filter(ticket::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}
