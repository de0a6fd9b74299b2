//! Unread: per agent and ticket, the last message the agent has seen (a read marker), and the
//! customer messages after it, counted for a page of tickets in one query.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter,
    QuerySelect, RelationTrait, Set,
    sea_query::{Expr, ExprTrait, OnConflict},
};

use super::entity::{message, read_marker};
use crate::domain::{AgentId, Direction, MessageId, TicketId};

/// Moves the agent's marker on `ticket` forward to `message`; a marker already further stays
/// (one statement, so racing tabs cannot move it back).
pub async fn mark<C>(
    c: &C,
    agent: AgentId,
    ticket: TicketId,
    message: MessageId,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    read_marker::Entity::insert(read_marker::ActiveModel {
        agent_id: Set(agent),
        ticket_id: Set(ticket),
        message_id: Set(message),
    })
    .on_conflict(
        OnConflict::columns([read_marker::Column::AgentId, read_marker::Column::TicketId])
            .update_column(read_marker::Column::MessageId)
            .action_and_where(
                Expr::col((read_marker::Entity, read_marker::Column::MessageId)).lt(message),
            )
            .to_owned(),
    )
    .exec_without_returning(c)
    .await?;
    Ok(())
}

/// The agent's marker on `ticket`, if they have read any of it.
pub async fn marker<C>(c: &C, agent: AgentId, ticket: TicketId) -> Result<Option<MessageId>, DbErr>
where
    C: ConnectionTrait,
{
    Ok(read_marker::Entity::find_by_id((agent, ticket))
        .one(c)
        .await?
        .map(|m| m.message_id))
}

/// How many customer messages of each ticket the agent has not read (tickets without any are
/// left out). One query for the whole page: the inbound messages after each ticket's marker,
/// served by `idx_messages_ticket_direction`.
pub async fn counts<C>(
    c: &C,
    agent: AgentId,
    tickets: Vec<TicketId>,
) -> Result<HashMap<TicketId, u64>, DbErr>
where
    C: ConnectionTrait,
{
    if tickets.is_empty() {
        return Ok(HashMap::new());
    }
    let marker = message::Relation::Marker
        .def()
        .on_condition(move |_, right| {
            Condition::all().add(Expr::col((right, read_marker::Column::AgentId)).eq(agent))
        });
    let rows: Vec<(TicketId, i64)> = message::Entity::find()
        .select_only()
        .column(message::Column::TicketId)
        .column_as(message::Column::Id.count(), "unread")
        .join(JoinType::LeftJoin, marker)
        .filter(message::Column::TicketId.is_in(tickets))
        .filter(message::Column::Direction.eq(Direction::In))
        .filter(
            Condition::any()
                .add(read_marker::Column::MessageId.is_null())
                .add(
                    Expr::col((message::Entity, message::Column::Id)).gt(Expr::col((
                        read_marker::Entity,
                        read_marker::Column::MessageId,
                    ))),
                ),
        )
        .group_by(message::Column::TicketId)
        .into_tuple()
        .all(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(ticket, n)| (ticket, u64::try_from(n).unwrap_or_default()))
        .collect())
}
