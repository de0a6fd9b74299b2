//! Searching tickets: the History view (closed tickets by number, username, client id or
//! Telegram id) and a client's earlier tickets, newest first, a page at a time.
//!
//! Indexes (m0005): `idx_tickets_history (status, department_id, id)` serves a status in some
//! departments newest first with the `id < before` cursor; `idx_tickets_client_recent
//! (client_id, id)` a client's tickets; `idx_clients_username_lower (lower(username))`, the
//! clients' primary key and `telegram_id`'s unique index resolve a query to clients first.
//! Message text (m0021): the FTS5 table `messages_fts` on SQLite, the GIN index on
//! `to_tsvector('simple', text)` on PostgreSQL, walked newest first by `text_search`, which stops
//! as soon as the page is provably complete.

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
/// of the next (older) page when more remain. Words of message text are searched by the early
/// stopping walk of `text_search` (the exact query when it gives up); a ticket number, username or
/// client id the query also names is looked up on its own, and the page is the newest of both.
pub async fn search<C>(
    c: &C,
    scope: &Scope,
    search: &TicketSearch,
) -> Result<(Vec<Ticket>, Option<TicketId>), DbErr>
where
    C: ConnectionTrait,
{
    let limit = search.limit.clamp(1, MAX_PAGE);
    let filters = filters(scope, search);
    let Some(text) = search.query.as_deref() else {
        return page(c, filters, limit).await;
    };
    let Some(matches) = matching(c, text).await? else {
        return Ok((Vec::new(), None));
    };
    if matches.words.is_empty() {
        let filters = match matches.named {
            Some(named) => filters.add(named),
            None => filters,
        };
        return page(c, filters, limit).await;
    }
    let want = (limit + 1) as usize;
    let Some(mut ids) =
        super::text_search::newest_tickets(c, &matches.words, &filters, want).await?
    else {
        // The walk gave up: the exact query.
        let text = text_matches(c.get_database_backend(), &matches.words);
        let either = match matches.named {
            Some(named) => named.add(text),
            None => Condition::any().add(text),
        };
        return page(c, filters.add(either), limit).await;
    };
    if let Some(named) = matches.named {
        let named: Vec<TicketId> = ticket::Entity::find()
            .select_only()
            .column(ticket::Column::Id)
            .filter(filters)
            .filter(named)
            .order_by_desc(ticket::Column::Id)
            .limit(limit + 1)
            .into_tuple()
            .all(c)
            .await?;
        ids.extend(named);
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids.dedup();
        ids.truncate(want);
    }
    if ids.is_empty() {
        return Ok((Vec::new(), None));
    }
    page(
        c,
        Condition::all().add(ticket::Column::Id.is_in(ids)),
        limit,
    )
    .await
}

/// What `search` filters tickets by besides the query: status, scope, client, `before`.
fn filters(scope: &Scope, search: &TicketSearch) -> Condition {
    let mut filters = Condition::all();
    filters = match search.status {
        StatusFilter::Open => filters
            .add(ticket::Column::Status.is_in([TicketStatus::Pending, TicketStatus::Accepted])),
        StatusFilter::One(status) => filters.add(ticket::Column::Status.eq(status)),
        StatusFilter::Any => filters,
    };
    if let Scope::Departments(ids) = scope {
        filters = filters.add(ticket::Column::DepartmentId.is_in(ids.iter().copied()));
    }
    if let Some(client) = search.client {
        filters = filters.add(ticket::Column::ClientId.eq(client));
    }
    if let Some(before) = search.before {
        filters = filters.add(ticket::Column::Id.lt(before));
    }
    filters
}

/// The newest `limit` tickets that pass `filters`, and the next page's `before`.
async fn page<C>(
    c: &C,
    filters: Condition,
    limit: u64,
) -> Result<(Vec<Ticket>, Option<TicketId>), DbErr>
where
    C: ConnectionTrait,
{
    let rows = ticket::Entity::find()
        .filter(filters)
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

/// What a query text asks for: tickets it names (by number, or by a client's username, id or
/// Telegram id) and words their messages must hold; either may be empty.
struct Matches {
    named: Option<Condition>,
    words: Vec<String>,
}

/// What a query text matches, or None when nothing can match.
async fn matching<C>(c: &C, text: &str) -> Result<Option<Matches>, DbErr>
where
    C: ConnectionTrait,
{
    let text = text.trim();
    let explicit = text.starts_with(['#', '@']);
    let words = if explicit { Vec::new() } else { words(text) };
    let text = text.trim_start_matches(['#', '@']).trim();
    if text.is_empty() {
        return Ok(Some(Matches {
            named: None,
            words: Vec::new(),
        }));
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
    let named = (!tickets.is_empty()).then_some(tickets);
    if named.is_none() && words.is_empty() {
        return Ok(None);
    }
    Ok(Some(Matches { named, words }))
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

/// Tickets with a message that holds every one of `words`: the exact query, whose cost grows with
/// the number of matching messages (`text_search` walks them newest first and stops early).
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
