//! Searching tickets: the History view (closed tickets by number, username, client id or
//! Telegram id) and a client's earlier tickets, newest first, a page at a time.
//!
//! Indexes (m0005): `idx_tickets_history (status, department_id, id)` serves a status in some
//! departments newest first with the `id < before` cursor; `idx_tickets_client_recent
//! (client_id, id)` a client's tickets; `idx_clients_username_lower (lower(username))`, the
//! clients' primary key and `telegram_id`'s unique index resolve a query to clients first.
//! Message text (m0021): the FTS5 table `messages_fts` on SQLite, the GIN index on
//! `to_tsvector('simple', text)` on PostgreSQL.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func},
};

use super::entity::{client, ticket};
use crate::domain::{ClientId, Scope, Ticket, TicketId, TicketStatus};

/// The most tickets one page of a search returns, and the default.
pub const MAX_PAGE: u64 = 100;
pub const DEFAULT_PAGE: u64 = 50;

/// Which statuses a search covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Pending or accepted.
    Open,
    One(TicketStatus),
    Any,
}

/// A search of tickets, newest first.
#[derive(Debug, Clone)]
pub struct TicketSearch {
    pub status: StatusFilter,
    /// A ticket number, a username (with or without `@`, any case), a client id, a Telegram id,
    /// or words of the tickets' messages (not when it starts with `#` or `@`).
    pub query: Option<String>,
    /// Only this client's tickets.
    pub client: Option<ClientId>,
    pub limit: u64,
    /// Only tickets older than this one (the last of the previous page).
    pub before: Option<TicketId>,
}

/// A page of the tickets the scope may see that match `search`, newest first, and the `before`
/// of the next (older) page when more remain.
pub async fn search<C>(
    c: &C,
    scope: &Scope,
    search: &TicketSearch,
) -> Result<(Vec<Ticket>, Option<TicketId>), DbErr>
where
    C: ConnectionTrait,
{
    let mut query = ticket::Entity::find();
    if let Some(text) = search.query.as_deref() {
        let Some(matches) = matching(c, text).await? else {
            return Ok((Vec::new(), None));
        };
        query = query.filter(matches);
    }
    query = match search.status {
        StatusFilter::Open => query
            .filter(ticket::Column::Status.is_in([TicketStatus::Pending, TicketStatus::Accepted])),
        StatusFilter::One(status) => query.filter(ticket::Column::Status.eq(status)),
        StatusFilter::Any => query,
    };
    if let Scope::Departments(ids) = scope {
        query = query.filter(ticket::Column::DepartmentId.is_in(ids.iter().copied()));
    }
    if let Some(client) = search.client {
        query = query.filter(ticket::Column::ClientId.eq(client));
    }
    if let Some(before) = search.before {
        query = query.filter(ticket::Column::Id.lt(before));
    }
    let limit = search.limit.clamp(1, MAX_PAGE);
    let rows = query
        .order_by_desc(ticket::Column::Id)
        .limit(limit + 1)
        .all(c)
        .await?;
    let (rows, next) = super::paging::split(rows, limit, |row| row.id);
    let tickets = rows
        .into_iter()
        .map(super::tickets::parse)
        .collect::<Result<_, _>>()?;
    Ok((tickets, next))
}

/// The condition a query text puts on tickets, or None when nothing can match.
async fn matching<C>(c: &C, text: &str) -> Result<Option<Condition>, DbErr>
where
    C: ConnectionTrait,
{
    let text = text.trim();
    let explicit = text.starts_with(['#', '@']);
    let words = if explicit { Vec::new() } else { words(text) };
    let text = text.trim_start_matches(['#', '@']).trim();
    if text.is_empty() {
        return Ok(Some(Condition::all()));
    }
    let number = text.parse::<i64>().ok();
    let mut clients = Condition::any()
        .add(Expr::expr(Func::lower(Expr::col(client::Column::Username))).eq(text.to_lowercase()));
    if let Some(n) = number {
        clients = clients
            .add(client::Column::Id.eq(n))
            .add(client::Column::TelegramId.eq(n));
    }
    let ids: Vec<ClientId> = client::Entity::find()
        .select_only()
        .column(client::Column::Id)
        .filter(clients)
        .limit(MAX_PAGE)
        .into_tuple()
        .all(c)
        .await?;
    let mut tickets = Condition::any();
    if let Some(n) = number {
        tickets = tickets.add(ticket::Column::Id.eq(n));
    }
    if !ids.is_empty() {
        tickets = tickets.add(ticket::Column::ClientId.is_in(ids));
    }
    if !words.is_empty() {
        tickets = tickets.add(text_matches(c.get_database_backend(), &words));
    }
    Ok((!tickets.is_empty()).then_some(tickets))
}

/// The most words of a query that a text search uses, and the longest word.
const MAX_WORDS: usize = 8;
const MAX_WORD: usize = 64;

/// The words of a query as the full-text index splits text: runs of letters and digits. Every
/// other character (quotes, `*`, `-`, `:`, parentheses) only separates words, so a customer's text
/// can never be read as the index's query syntax.
fn words(text: &str) -> Vec<String> {
    text.split(|ch: char| !ch.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            word.chars()
                .take(MAX_WORD)
                .collect::<String>()
                .to_lowercase()
        })
        .take(MAX_WORDS)
        .collect()
}

/// Tickets with a message that holds every one of `words`.
fn text_matches(backend: DatabaseBackend, words: &[String]) -> Expr {
    match backend {
        DatabaseBackend::Postgres => Expr::cust_with_values(
            r#""tickets"."id" IN (SELECT m.ticket_id FROM messages m WHERE to_tsvector('simple', m.text) @@ plainto_tsquery('simple', $1))"#,
            [words.join(" ")],
        ),
        _ => {
            // Each word as an FTS5 string ("…"), which are ANDed; words hold no quote.
            let query = words
                .iter()
                .map(|word| format!("\"{word}\""))
                .collect::<Vec<_>>()
                .join(" ");
            Expr::cust_with_values(
                r#""tickets"."id" IN (SELECT m.ticket_id FROM messages m WHERE m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?))"#,
                [query],
            )
        }
    }
}

/// A client's most recent ticket if it is closed, with when it was closed: the one a new message
/// may reopen. Served by `idx_tickets_client_recent`.
pub async fn last_closed_for_client<C>(
    c: &C,
    client: ClientId,
) -> Result<Option<(Ticket, DateTime<Utc>)>, DbErr>
where
    C: ConnectionTrait,
{
    let Some(row) = ticket::Entity::find()
        .filter(ticket::Column::ClientId.eq(client))
        .order_by_desc(ticket::Column::Id)
        .one(c)
        .await?
    else {
        return Ok(None);
    };
    if row.status != TicketStatus::Closed {
        return Ok(None);
    }
    let closed_at = row.closed_at.unwrap_or(row.updated_at);
    Ok(Some((super::tickets::parse(row)?, closed_at)))
}
