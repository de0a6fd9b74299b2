//! Ratings of closed tickets: asking (one row per ticket), the press that answers (one
//! conditional update decides), the comment that follows, and the figures.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
    sea_query::{Expr, Func},
};

use super::entity::rating;
use crate::domain::{AgentId, ClientId, DepartmentId, Stars, TicketId};

/// The rating of `ticket`, asked or answered.
pub async fn for_ticket<C>(c: &C, ticket: TicketId) -> Result<Option<rating::Model>, DbErr>
where
    C: ConnectionTrait,
{
    rating::Entity::find()
        .filter(rating::Column::TicketId.eq(ticket))
        .one(c)
        .await
}

/// Who is asked to rate which ticket.
#[derive(Debug, Clone)]
pub struct Asking {
    pub ticket: TicketId,
    pub client: ClientId,
    /// The owner when it closed.
    pub agent: Option<AgentId>,
    pub department: DepartmentId,
    /// The token the star buttons carry.
    pub token: String,
}

/// Records that the customer is asked to rate a ticket that just closed: a new row, or, for a
/// ticket closed again before it was rated, the same row with the new owner and token (the old
/// keyboard stops working). Returns false when the ticket was rated already (nobody is asked).
pub async fn ask<C>(c: &C, asking: Asking, now: DateTime<Utc>) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    match for_ticket(c, asking.ticket).await? {
        None => {
            rating::ActiveModel {
                ticket_id: Set(asking.ticket),
                client_id: Set(asking.client),
                agent_id: Set(asking.agent),
                department_id: Set(asking.department),
                token: Set(asking.token),
                stars: Set(None),
                comment: Set(None),
                comment_until: Set(None),
                created_at: Set(now),
                rated_at: Set(None),
                ..Default::default()
            }
            .insert(c)
            .await?;
            Ok(true)
        }
        Some(existing) if existing.stars.is_none() => {
            let updated = rating::Entity::update_many()
                .col_expr(rating::Column::AgentId, Expr::value(asking.agent))
                .col_expr(rating::Column::DepartmentId, Expr::value(asking.department))
                .col_expr(rating::Column::Token, Expr::value(asking.token))
                .col_expr(rating::Column::CreatedAt, Expr::value(now))
                .filter(rating::Column::Id.eq(existing.id))
                .filter(rating::Column::Stars.is_null())
                .exec(c)
                .await?;
            Ok(updated.rows_affected == 1)
        }
        Some(_) => Ok(false),
    }
}

/// Stores the stars of a press on the current keyboard of an unrated ticket, opening the comment
/// window until `comment_until`; false when the ticket is rated already or the token is not the
/// current one (an old keyboard). Of racing presses exactly one wins.
pub async fn rate<C>(
    c: &C,
    ticket: TicketId,
    token: &str,
    stars: Stars,
    now: DateTime<Utc>,
    comment_until: DateTime<Utc>,
) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let updated = rating::Entity::update_many()
        .col_expr(rating::Column::Stars, Expr::value(i16::from(stars.get())))
        .col_expr(rating::Column::RatedAt, Expr::value(now))
        .col_expr(rating::Column::CommentUntil, Expr::value(comment_until))
        .filter(rating::Column::TicketId.eq(ticket))
        .filter(rating::Column::Token.eq(token))
        .filter(rating::Column::Stars.is_null())
        .exec(c)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// The client's rating whose comment window is open at `now`, the newest if several.
pub async fn awaiting_comment<C>(
    c: &C,
    client: ClientId,
    now: DateTime<Utc>,
) -> Result<Option<rating::Model>, DbErr>
where
    C: ConnectionTrait,
{
    rating::Entity::find()
        .filter(rating::Column::ClientId.eq(client))
        .filter(rating::Column::CommentUntil.gt(now))
        .filter(rating::Column::Comment.is_null())
        .order_by_desc(rating::Column::RatedAt)
        .one(c)
        .await
}

/// Stores the comment of rating `id` and closes its window; false when the window closed
/// meanwhile or another message was taken first.
pub async fn set_comment<C>(c: &C, id: i64, text: &str, now: DateTime<Utc>) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let updated = rating::Entity::update_many()
        .col_expr(rating::Column::Comment, Expr::value(text))
        .col_expr(
            rating::Column::CommentUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(rating::Column::Id.eq(id))
        .filter(rating::Column::CommentUntil.gt(now))
        .filter(rating::Column::Comment.is_null())
        .exec(c)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Closes a client's open comment window (they opened a new request instead).
pub async fn end_comment_window<C>(c: &C, client: ClientId) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    rating::Entity::update_many()
        .col_expr(
            rating::Column::CommentUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(rating::Column::ClientId.eq(client))
        .filter(rating::Column::CommentUntil.is_not_null())
        .exec(c)
        .await?;
    Ok(())
}

/// Which answered ratings a summary counts.
#[derive(Debug, Clone, Default)]
pub struct RatingFilter {
    /// Only these departments (None: all).
    pub departments: Option<Vec<DepartmentId>>,
    pub agent: Option<AgentId>,
    /// Rated at or after.
    pub from: Option<DateTime<Utc>>,
    /// Rated before.
    pub to: Option<DateTime<Utc>>,
}

/// How many answered ratings have each number of stars (index 0: one star).
pub async fn star_counts<C>(c: &C, filter: &RatingFilter) -> Result<[u64; 5], DbErr>
where
    C: ConnectionTrait,
{
    let mut condition = Condition::all().add(rating::Column::Stars.is_not_null());
    if let Some(departments) = &filter.departments {
        condition = condition.add(rating::Column::DepartmentId.is_in(departments.clone()));
    }
    if let Some(agent) = filter.agent {
        condition = condition.add(rating::Column::AgentId.eq(agent));
    }
    if let Some(from) = filter.from {
        condition = condition.add(rating::Column::RatedAt.gte(from));
    }
    if let Some(to) = filter.to {
        condition = condition.add(rating::Column::RatedAt.lt(to));
    }
    let rows: Vec<(Option<i16>, i64)> = rating::Entity::find()
        .select_only()
        .column(rating::Column::Stars)
        .column_as(Expr::expr(Func::count(Expr::col(rating::Column::Id))), "n")
        .filter(condition)
        .group_by(rating::Column::Stars)
        .into_tuple()
        .all(c)
        .await?;
    let mut counts = [0u64; 5];
    for (stars, n) in rows {
        if let Some(stars) = stars.and_then(|s| Stars::new(i64::from(s))) {
            counts[usize::from(stars.get() - 1)] = u64::try_from(n).unwrap_or(0);
        }
    }
    Ok(counts)
}

/// A rating as the console shows it, with the agent's name.
pub async fn view<C>(c: &C, row: rating::Model) -> Result<crate::views::RatingView, DbErr>
where
    C: ConnectionTrait,
{
    let agent = match row.agent_id {
        Some(id) => super::agents::names(c, vec![id])
            .await?
            .remove(&id)
            .map(|name| crate::views::AgentRef { id, name }),
        None => None,
    };
    Ok(crate::views::RatingView {
        ticket_id: row.ticket_id,
        department_id: row.department_id,
        agent,
        stars: row.stars.and_then(|s| u8::try_from(s).ok()),
        comment: row.comment,
        asked_at: row.created_at,
        rated_at: row.rated_at,
        comment_until: row.comment_until,
    })
}
