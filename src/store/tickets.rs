//! Tickets: the queues, the conditional updates that decide races, and the joined view.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, sea_query::Expr,
};

use super::entity::ticket;
use crate::{
    domain::{Scope, TicketStatus},
    views::{AgentRef, ClientRef, DepartmentRef, TicketView},
};

/// The most tickets one queue listing returns.
pub const LIST_LIMIT: u64 = 200;

/// Finds a ticket by id.
pub async fn find<C>(c: &C, id: i64) -> Result<Option<ticket::Model>, DbErr>
where
    C: ConnectionTrait,
{
    ticket::Entity::find_by_id(id).one(c).await
}

/// The client's open (pending or accepted) ticket, if any; there is at most one.
pub async fn find_open_for_client<C>(c: &C, client_id: i64) -> Result<Option<ticket::Model>, DbErr>
where
    C: ConnectionTrait,
{
    ticket::Entity::find()
        .filter(ticket::Column::ClientId.eq(client_id))
        .filter(ticket::Column::Status.ne(TicketStatus::Closed.as_str()))
        .one(c)
        .await
}

/// Opens a pending ticket. Fails with a unique violation if the client has an open one.
pub async fn insert_pending<C>(
    c: &C,
    client_id: i64,
    department_id: i64,
    now: DateTime<Utc>,
) -> Result<ticket::Model, DbErr>
where
    C: ConnectionTrait,
{
    ticket::ActiveModel {
        client_id: Set(client_id),
        department_id: Set(department_id),
        status: Set(TicketStatus::Pending.as_str().to_owned()),
        owner_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(c)
    .await
}

/// Marks activity on a ticket so the queues sort it by it.
pub async fn touch<C>(c: &C, id: i64, now: DateTime<Utc>) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    ticket::Entity::update_many()
        .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
        .filter(ticket::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// Gives a pending ticket to `agent` in one conditional update; true only for the one caller
/// that won. The database decides concurrent accepts, across instances too.
pub async fn try_accept<C>(c: &C, id: i64, agent: i64, now: DateTime<Utc>) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let result = ticket::Entity::update_many()
        .col_expr(
            ticket::Column::Status,
            Expr::value(TicketStatus::Accepted.as_str()),
        )
        .col_expr(ticket::Column::OwnerId, Expr::value(agent))
        .col_expr(ticket::Column::AcceptedAt, Expr::value(now))
        .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
        .filter(ticket::Column::Id.eq(id))
        .filter(ticket::Column::Status.eq(TicketStatus::Pending.as_str()))
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}

/// A queue: tickets the scope may see, of one status or (None) every open one. Pending tickets
/// come oldest first (who waited longest); the others newest activity first.
pub async fn list<C>(
    c: &C,
    scope: &Scope,
    status: Option<TicketStatus>,
) -> Result<Vec<ticket::Model>, DbErr>
where
    C: ConnectionTrait,
{
    let mut query = ticket::Entity::find();
    query = match status {
        Some(status) => query.filter(ticket::Column::Status.eq(status.as_str())),
        None => query.filter(ticket::Column::Status.is_in([
            TicketStatus::Pending.as_str(),
            TicketStatus::Accepted.as_str(),
        ])),
    };
    if let Scope::Departments(ids) = scope {
        query = query.filter(ticket::Column::DepartmentId.is_in(ids.iter().copied()));
    }
    query = match status {
        Some(TicketStatus::Pending) => query.order_by_asc(ticket::Column::CreatedAt),
        _ => query.order_by_desc(ticket::Column::UpdatedAt),
    };
    query
        .order_by_desc(ticket::Column::Id)
        .limit(LIST_LIMIT)
        .all(c)
        .await
}

/// Joins tickets with their clients, departments and owners, keeping their order.
pub async fn views<C>(c: &C, tickets: Vec<ticket::Model>) -> Result<Vec<TicketView>, DbErr>
where
    C: ConnectionTrait,
{
    if tickets.is_empty() {
        return Ok(Vec::new());
    }
    let clients: HashMap<i64, ClientRef> =
        super::clients::by_ids(c, tickets.iter().map(|t| t.client_id).collect())
            .await?
            .into_iter()
            .map(|m| {
                (
                    m.id,
                    ClientRef {
                        id: m.id,
                        telegram_id: m.telegram_id,
                        username: m.username,
                        name: m.name,
                    },
                )
            })
            .collect();
    let departments: HashMap<i64, String> =
        super::departments::by_ids(c, tickets.iter().map(|t| t.department_id).collect())
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
    let owners =
        super::agents::names(c, tickets.iter().filter_map(|t| t.owner_id).collect()).await?;
    tickets
        .into_iter()
        .map(|t| {
            let client = clients.get(&t.client_id).cloned().ok_or_else(|| {
                DbErr::Custom(format!("ticket {}: client {} missing", t.id, t.client_id))
            })?;
            let status = t
                .status
                .parse::<TicketStatus>()
                .map_err(|e| DbErr::Custom(format!("ticket {}: {e}", t.id)))?;
            Ok(TicketView {
                id: t.id,
                number: t.id,
                status,
                client,
                department: DepartmentRef {
                    id: t.department_id,
                    name: departments
                        .get(&t.department_id)
                        .cloned()
                        .unwrap_or_default(),
                },
                platform: "telegram",
                owner: t.owner_id.map(|id| AgentRef {
                    id,
                    name: owners.get(&id).cloned().unwrap_or_default(),
                }),
                created_at: t.created_at,
                updated_at: t.updated_at,
            })
        })
        .collect()
}

/// The view of one ticket.
pub async fn view<C>(c: &C, ticket: ticket::Model) -> Result<TicketView, DbErr>
where
    C: ConnectionTrait,
{
    views(c, vec![ticket])
        .await?
        .pop()
        .ok_or_else(|| DbErr::Custom("ticket view lost".to_owned()))
}
