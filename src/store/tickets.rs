//! Tickets: the queues, the conditional updates that decide races, and the joined view.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, sea_query::Expr,
};

use super::{
    entity::ticket,
    paging::{Page, split},
};
use crate::{
    domain::{
        AgentId, ClientId, CloseReason, DepartmentId, Invariant, Place, Priority, Scope, Ticket,
        TicketId, TicketState, TicketStatus,
    },
    views::{AgentRef, ClientRef, DepartmentRef, Platform, TicketView},
};

/// A stored ticket as the rules see it; a row that breaks the rules is an error.
pub(super) fn parse(row: ticket::Model) -> Result<Ticket, DbErr> {
    let state = TicketState::from_columns(row.id, row.status, row.owner_id).map_err(invariant)?;
    Ok(Ticket {
        id: row.id,
        client: row.client_id,
        department: row.department_id,
        state,
        created_at: row.created_at,
        updated_at: row.updated_at,
        last_owner: row.last_owner_id,
        previous: row.previous_ticket_id,
        awaiting_reply_since: row.awaiting_reply_since,
        hold: row.hold_state.zip(row.hold_since),
        priority: row.priority,
        breached_since: row.breached_since,
    })
}

/// A broken invariant found in a stored row, as a database error (a 500, never a 404).
pub fn invariant(error: Invariant) -> DbErr {
    DbErr::Custom(error.to_string())
}

/// The most tickets one page of a queue holds (and the page size when the client names none).
pub const LIST_LIMIT: u64 = 200;

/// Finds a ticket by id.
pub async fn find<C>(c: &C, id: TicketId) -> Result<Option<Ticket>, DbErr>
where
    C: ConnectionTrait,
{
    ticket::Entity::find_by_id(id)
        .one(c)
        .await?
        .map(parse)
        .transpose()
}

/// The client's open (pending or accepted) ticket, if any; there is at most one.
pub async fn find_open_for_client<C>(c: &C, client_id: ClientId) -> Result<Option<Ticket>, DbErr>
where
    C: ConnectionTrait,
{
    ticket::Entity::find()
        .filter(ticket::Column::ClientId.eq(client_id))
        .filter(ticket::Column::Status.ne(TicketStatus::Closed))
        .order_by_desc(ticket::Column::Id)
        .one(c)
        .await?
        .map(parse)
        .transpose()
}

/// Opens a pending ticket, following the client's earlier closed ticket `previous` if any; the
/// customer's first message makes it wait for a reply from `now`. Fails with a unique violation
/// if the client has an open one.
pub async fn insert_pending<C>(
    c: &C,
    client_id: ClientId,
    department_id: DepartmentId,
    previous: Option<TicketId>,
    now: DateTime<Utc>,
) -> Result<Ticket, DbErr>
where
    C: ConnectionTrait,
{
    insert_pending_in_slot(c, client_id, department_id, previous, 0, now).await
}

/// As `insert_pending`, in open slot `slot` (see `next_open_slot`): fails with a unique violation
/// if the client has an open ticket in that slot.
pub async fn insert_pending_in_slot<C>(
    c: &C,
    client_id: ClientId,
    department_id: DepartmentId,
    previous: Option<TicketId>,
    slot: i32,
    now: DateTime<Utc>,
) -> Result<Ticket, DbErr>
where
    C: ConnectionTrait,
{
    let priority = super::priorities::of_ticket(c, client_id, department_id).await?;
    let row = ticket::ActiveModel {
        open_slot: Set(slot),
        priority: Set(priority),
        client_id: Set(client_id),
        department_id: Set(department_id),
        status: Set(TicketStatus::Pending),
        owner_id: Set(None),
        previous_ticket_id: Set(previous),
        created_at: Set(now),
        updated_at: Set(now),
        awaiting_reply_since: Set(Some(now)),
        customer_wrote_at: Set(Some(now)),
        ..Default::default()
    }
    .insert(c)
    .await?;
    parse(row)
}

/// The newest open ticket of each of these clients (those with one), in one query.
pub async fn newest_open_for_clients<C>(
    c: &C,
    clients: Vec<ClientId>,
) -> Result<HashMap<ClientId, Ticket>, DbErr>
where
    C: ConnectionTrait,
{
    let mut newest = HashMap::new();
    if clients.is_empty() {
        return Ok(newest);
    }
    let rows = ticket::Entity::find()
        .filter(ticket::Column::ClientId.is_in(clients))
        .filter(ticket::Column::Status.ne(TicketStatus::Closed))
        .order_by_desc(ticket::Column::Id)
        .all(c)
        .await?;
    for row in rows {
        if let std::collections::hash_map::Entry::Vacant(slot) = newest.entry(row.client_id) {
            slot.insert(parse(row)?);
        }
    }
    Ok(newest)
}

/// A pending ticket `insert_pending_many` opens: for whom, where, at which priority.
#[derive(Debug, Clone, Copy)]
pub struct NewPending {
    pub client: ClientId,
    pub department: DepartmentId,
    pub priority: Priority,
}

/// `insert_pending` (slot 0, no earlier ticket) for several clients that have no ticket, in
/// multi-row inserts; the tickets in the order of `new`. A client that meanwhile got an open
/// ticket (another instance) fails it with a unique violation.
pub async fn insert_pending_many<C>(
    c: &C,
    new: &[NewPending],
    now: DateTime<Utc>,
) -> Result<Vec<Ticket>, DbErr>
where
    C: ConnectionTrait,
{
    let mut tickets = Vec::with_capacity(new.len());
    for chunk in new.chunks(200) {
        let rows = chunk.iter().map(|n| ticket::ActiveModel {
            open_slot: Set(0),
            priority: Set(n.priority),
            client_id: Set(n.client),
            department_id: Set(n.department),
            status: Set(TicketStatus::Pending),
            owner_id: Set(None),
            previous_ticket_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            awaiting_reply_since: Set(Some(now)),
            customer_wrote_at: Set(Some(now)),
            ..Default::default()
        });
        let mut inserted = ticket::Entity::insert_many(rows)
            .exec_with_returning(c)
            .await?;
        inserted.sort_by_key(|row| row.id);
        let mut by_client: HashMap<ClientId, ticket::Model> = inserted
            .into_iter()
            .map(|row| (row.client_id, row))
            .collect();
        for n in chunk {
            let row = by_client.remove(&n.client).ok_or_else(|| {
                invariant(Invariant::new(format!(
                    "client {}: the ticket inserted for it was not returned",
                    n.client
                )))
            })?;
            tickets.push(parse(row)?);
        }
    }
    Ok(tickets)
}

/// The view of a ticket just opened for `client`, a client created in the same transaction (no
/// notes, reachable), in the department named `department`: built without reading.
pub fn view_of_new(
    ticket: Ticket,
    client: &super::entity::client::Model,
    department: &str,
) -> TicketView {
    TicketView {
        id: ticket.id,
        number: ticket.id,
        status: ticket.state.status(),
        client: ClientRef {
            id: client.id,
            telegram_id: client.telegram_id,
            username: client.username.clone(),
            name: client.name.clone(),
            notes_count: 0,
            unreachable: client.unreachable_reason.clone(),
            priority: client.priority,
        },
        department: DepartmentRef {
            id: ticket.department,
            name: department.to_owned(),
        },
        platform: Platform::Telegram,
        owner: None,
        last_owner: None,
        previous_ticket_id: ticket.previous,
        created_at: ticket.created_at,
        updated_at: ticket.updated_at,
        awaiting_reply_since: ticket.awaiting_reply_since,
        hold: ticket.hold.map(|(state, _)| state),
        hold_since: ticket.hold.map(|(_, since)| since),
        priority: ticket.priority,
        breach: ticket.current_breach(),
        unread: None,
    }
}

/// The slot a further open ticket of the client takes: one past the highest of its open tickets
/// (0 when none is open).
pub async fn next_open_slot<C>(c: &C, client_id: ClientId) -> Result<i32, DbErr>
where
    C: ConnectionTrait,
{
    let highest = ticket::Entity::find()
        .filter(ticket::Column::ClientId.eq(client_id))
        .filter(ticket::Column::Status.ne(TicketStatus::Closed))
        .order_by_desc(ticket::Column::OpenSlot)
        .one(c)
        .await?;
    Ok(highest.map_or(0, |t| t.open_slot + 1))
}

/// The client's open tickets, newest first.
pub async fn open_for_client<C>(c: &C, client_id: ClientId) -> Result<Vec<Ticket>, DbErr>
where
    C: ConnectionTrait,
{
    ticket::Entity::find()
        .filter(ticket::Column::ClientId.eq(client_id))
        .filter(ticket::Column::Status.ne(TicketStatus::Closed))
        .order_by_desc(ticket::Column::Id)
        .all(c)
        .await?
        .into_iter()
        .map(parse)
        .collect()
}

/// How a ticket is closed.
#[derive(Debug, Clone)]
pub struct Closing {
    pub reason: CloseReason,
    pub comment: Option<String>,
}

/// Moves a ticket from place `from` to place `to` in one conditional update: true only when it
/// was still exactly at `from` (same status, same owner, same department), so of racing changes
/// (accepts, reassigns, returns, closes, routing) exactly one wins, on SQLite and across instances
/// on PostgreSQL. Whoever gets it becomes its last owner; a closed ticket keeps its owner column.
pub async fn transition<C>(
    c: &C,
    id: TicketId,
    from: Place,
    to: Place,
    closing: Option<Closing>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let mut update = ticket::Entity::update_many()
        .col_expr(ticket::Column::Status, Expr::value(to.state.status()))
        .col_expr(ticket::Column::DepartmentId, Expr::value(to.department))
        .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
        // Any move (accept, return, reassign, close, reopen) ends a hold.
        .col_expr(
            ticket::Column::HoldState,
            Expr::value(None::<crate::domain::HoldState>),
        )
        .col_expr(
            ticket::Column::HoldSince,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(
            ticket::Column::Priority,
            super::priorities::ticket_priority_in(to.department),
        );
    match to.state {
        TicketState::Pending => {
            update = update.col_expr(ticket::Column::OwnerId, Expr::value(None::<AgentId>));
        }
        TicketState::Accepted { owner } => {
            update = update
                .col_expr(ticket::Column::OwnerId, Expr::value(owner))
                .col_expr(ticket::Column::LastOwnerId, Expr::value(owner))
                .col_expr(ticket::Column::AcceptedAt, Expr::value(now));
        }
        TicketState::Closed => {
            let closing = closing.ok_or_else(|| {
                invariant(Invariant::new(format!(
                    "ticket {id} closed without a reason"
                )))
            })?;
            update = update
                .col_expr(ticket::Column::ClosedAt, Expr::value(now))
                .col_expr(ticket::Column::CloseReason, Expr::value(closing.reason))
                .col_expr(ticket::Column::CloseComment, Expr::value(closing.comment));
        }
    }
    // A closed ticket keeps its owner column, so its status alone says it is still closed.
    let owner = match from.state {
        TicketState::Accepted { owner } => Some(ticket::Column::OwnerId.eq(owner)),
        TicketState::Pending => Some(ticket::Column::OwnerId.is_null()),
        TicketState::Closed => None,
    };
    let mut update = update
        .filter(ticket::Column::Id.eq(id))
        .filter(ticket::Column::Status.eq(from.state.status()))
        .filter(ticket::Column::DepartmentId.eq(from.department));
    if let Some(owner) = owner {
        update = update.filter(owner);
    }
    let result = update.exec(c).await?;
    Ok(result.rows_affected == 1)
}

/// Where a queue page continues: the last ticket of the page before, with its priority (Pending
/// sorts by it first), its sort time (created for Pending, last activity otherwise) and its id.
#[derive(Debug, Clone, Copy)]
pub struct QueueKey {
    pub priority: Priority,
    pub at: DateTime<Utc>,
    pub id: TicketId,
}

impl QueueKey {
    fn of(row: &ticket::Model, status: Option<TicketStatus>) -> Self {
        let at = match status {
            Some(TicketStatus::Pending) => row.created_at,
            _ => row.updated_at,
        };
        Self {
            priority: row.priority,
            at,
            id: row.id,
        }
    }
}

/// The time a queue of `status` sorts by.
fn queue_column(status: Option<TicketStatus>) -> ticket::Column {
    match status {
        Some(TicketStatus::Pending) => ticket::Column::CreatedAt,
        _ => ticket::Column::UpdatedAt,
    }
}

/// The key of ticket `id` in the queue of `status`, if the ticket exists.
pub async fn queue_key<C>(
    c: &C,
    status: Option<TicketStatus>,
    id: TicketId,
) -> Result<Option<QueueKey>, DbErr>
where
    C: ConnectionTrait,
{
    Ok(ticket::Entity::find_by_id(id)
        .one(c)
        .await?
        .map(|row| QueueKey::of(&row, status)))
}

/// A page of a queue: tickets the scope may see, of one status or (None) every open one. Pending
/// tickets come by priority (VIP first), then oldest first (who waited longest, then by id); the
/// others newest activity first (then newest id). The page continues after `page.after` in that
/// order (keyset on priority, sort time and id, served by `idx_tickets_priority_queue` with a
/// department scope and `idx_tickets_priority_all` without for Pending, and by `idx_tickets_queue`
/// and `idx_tickets_status_updated` for the others); returns the key of the next page when more
/// remain.
pub async fn list<C>(
    c: &C,
    scope: &Scope,
    status: Option<TicketStatus>,
    page: Page<QueueKey>,
) -> Result<(Vec<Ticket>, Option<QueueKey>), DbErr>
where
    C: ConnectionTrait,
{
    let mut query = ticket::Entity::find();
    query = match status {
        Some(status) => query.filter(ticket::Column::Status.eq(status)),
        None => query
            .filter(ticket::Column::Status.is_in([TicketStatus::Pending, TicketStatus::Accepted])),
    };
    if let Scope::Departments(ids) = scope {
        query = query.filter(ticket::Column::DepartmentId.is_in(ids.iter().copied()));
    }
    let column = queue_column(status);
    let pending = status == Some(TicketStatus::Pending);
    if let Some(after) = page.after {
        let later = if pending {
            let same_priority_later = Condition::any().add(column.gt(after.at)).add(
                Condition::all()
                    .add(column.eq(after.at))
                    .add(ticket::Column::Id.gt(after.id)),
            );
            Condition::any()
                .add(ticket::Column::Priority.lt(after.priority))
                .add(
                    Condition::all()
                        .add(ticket::Column::Priority.eq(after.priority))
                        .add(same_priority_later),
                )
        } else {
            Condition::any().add(column.lt(after.at)).add(
                Condition::all()
                    .add(column.eq(after.at))
                    .add(ticket::Column::Id.lt(after.id)),
            )
        };
        query = query.filter(later);
    }
    query = if pending {
        query
            .order_by_desc(ticket::Column::Priority)
            .order_by_asc(column)
            .order_by_asc(ticket::Column::Id)
    } else {
        query
            .order_by_desc(column)
            .order_by_desc(ticket::Column::Id)
    };
    let rows = query.limit(page.fetch()).all(c).await?;
    let (rows, next) = split(rows, page.limit, |row| QueueKey::of(row, status));
    let tickets = rows.into_iter().map(parse).collect::<Result<_, _>>()?;
    Ok((tickets, next))
}

/// Joins tickets with their clients, departments and owners, keeping their order.
pub async fn views<C>(c: &C, tickets: Vec<Ticket>) -> Result<Vec<TicketView>, DbErr>
where
    C: ConnectionTrait,
{
    if tickets.is_empty() {
        return Ok(Vec::new());
    }
    let client_ids: Vec<ClientId> = tickets.iter().map(|t| t.client).collect();
    let notes = super::notes::counts(c, client_ids.clone()).await?;
    let clients: HashMap<ClientId, ClientRef> = super::clients::by_ids(c, client_ids)
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
                    notes_count: notes.get(&m.id).copied().unwrap_or_default(),
                    unreachable: m.unreachable_reason,
                    priority: m.priority,
                },
            )
        })
        .collect();
    let departments: HashMap<DepartmentId, String> =
        super::departments::by_ids(c, tickets.iter().map(|t| t.department).collect())
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
    let owners = super::agents::names(
        c,
        tickets
            .iter()
            .flat_map(|t| [t.state.owner(), t.last_owner])
            .flatten()
            .collect(),
    )
    .await?;
    tickets
        .into_iter()
        .map(|t| {
            let missing =
                |what: String| invariant(Invariant::new(format!("ticket {}: {what}", t.id)));
            let client = clients
                .get(&t.client)
                .cloned()
                .ok_or_else(|| missing(format!("client {} missing", t.client)))?;
            let department = departments
                .get(&t.department)
                .cloned()
                .ok_or_else(|| missing(format!("department {} missing", t.department)))?;
            let agent = |id: Option<AgentId>| match id {
                Some(id) => owners
                    .get(&id)
                    .map(|name| {
                        Some(AgentRef {
                            id,
                            name: name.clone(),
                        })
                    })
                    .ok_or_else(|| missing(format!("agent {id} missing"))),
                None => Ok(None),
            };
            let owner = agent(t.state.owner())?;
            let last_owner = agent(t.last_owner)?;
            Ok(TicketView {
                id: t.id,
                number: t.id,
                status: t.state.status(),
                client,
                department: DepartmentRef {
                    id: t.department,
                    name: department,
                },
                platform: Platform::Telegram,
                owner,
                last_owner,
                previous_ticket_id: t.previous,
                created_at: t.created_at,
                updated_at: t.updated_at,
                awaiting_reply_since: t.awaiting_reply_since,
                hold: t.hold.map(|(state, _)| state),
                hold_since: t.hold.map(|(_, since)| since),
                priority: t.priority,
                breach: t.current_breach(),
                unread: None,
            })
        })
        .collect()
}

/// The view of one ticket.
pub async fn view<C>(c: &C, ticket: Ticket) -> Result<TicketView, DbErr>
where
    C: ConnectionTrait,
{
    let id = ticket.id;
    views(c, vec![ticket]).await?.pop().ok_or_else(|| {
        invariant(Invariant::new(format!(
            "ticket {id}: one ticket made no view"
        )))
    })
}
