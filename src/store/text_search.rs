//! Message-text search that stops early: the newest tickets (by ticket number) with a message
//! holding every word of a query, found by walking the matching messages newest first instead of
//! collecting every match (a common word is in millions of messages).
//!
//! The walk reads the matching messages in batches in message id order, highest first (SQLite:
//! the FTS5 table `messages_fts` serves `rowid < ? ORDER BY rowid DESC` from its index;
//! PostgreSQL: `id < $2 ORDER BY id DESC` with the GIN index of m0021 or the primary key, as the
//! planner prefers), maps each message to its ticket and keeps the tickets that pass the search's
//! other filters (status, scope, client, `before`: checked on the ticket rows as they are now, so a
//! ticket reassigned to another department is judged where it is). Batches grow from twice the
//! page (+ 1) to `MAX_BATCH`.
//!
//! When to stop. A page holds the `want` (its size + 1) newest qualifying tickets; let `k` be the
//! lowest of the `want` newest found so far and `first(k)` the lowest id of its messages (its first
//! message: a ticket and its first message are created in one transaction, the batched ingest
//! inserts new tickets and their first messages in the same order, the seed derives both from one
//! number, and messages are never deleted — retention prunes events, update ids and dead letters
//! only). A ticket numbered above `k` was created after `k`, so each of its messages has an id
//! above `first(k)`; once every matching message with an id at or above `first(k) - margin` has
//! been read, no unread message can belong to a ticket that would enter the page, and the page is
//! exact. A reopened old ticket whose new message is read first is only a candidate: it ranks by
//! its number, and the walk goes on until the bound is passed.
//!
//! The margin: on SQLite writes are serialized, so ids follow commit order and the bound is exact
//! (`SQLITE_MARGIN` is 0; tests/api/search_paging.rs opens tickets in batches and checks every page
//! against a brute-force answer, which pins the first-message order of the batched ingest). On
//! PostgreSQL sequence values are taken when a row is inserted, not at
//! commit, so a ticket numbered above `k` whose transaction took its first message's id while
//! `k`'s took its own may have a first message a little below `first(k)`: `POSTGRES_MARGIN` ids
//! cover every such ticket whose transaction did not wait between inserting the ticket and its
//! first message while more than that many messages were written by others. Walking the margin
//! costs a scan of that many ids (with `to_tsvector` recomputed per row when the planner walks the
//! primary key), so when at most `MARGIN_LOOKUP` tickets are numbered above `k` the walk instead
//! stops at `first(k)` and asks `idx_messages_ticket (ticket_id, id)` for matching messages of
//! tickets above `k` below that point (`late_matches`): exact whatever the order of commits, and
//! the margin is only walked when `k` lies far back (a rare word or restrictive filters).
//!
//! The cap: after `MAX_READ` matching messages without a complete page (a common word with
//! filters few tickets pass, or a deep page) the walk gives up and the caller runs the exact query
//! (`history::text_matches`), which costs time proportional to all the matching messages.
//!
//! Consistency: each batch is its own statement, so a message committed during the walk may or
//! may not be seen, as for any search racing a write.

use std::collections::{BTreeSet, HashMap};

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter,
    QuerySelect, QueryTrait, Statement, sea_query::Expr,
};

use super::entity::{message, ticket};
use crate::domain::TicketId;

/// The largest batch of matching messages read at once.
const MAX_BATCH: u64 = 1024;
/// The most matching messages one search reads before it falls back to the exact query.
pub const MAX_READ: usize = 24 * MAX_BATCH as usize;
/// How far below a ticket's first message the walk goes before it trusts the bound (see above).
const SQLITE_MARGIN: i64 = 0;
const POSTGRES_MARGIN: i64 = 10_000;
/// At most this many tickets newer than `k`: their matches below the walk are looked up by ticket
/// instead of walking the margin (see `late_matches`).
const MARGIN_LOOKUP: i64 = 2_000;

/// The `want` newest tickets (highest numbers first) that pass `filters` and have a message
/// holding every one of `words` (lower-case, as `history::words` makes them); None when the walk
/// read `MAX_READ` matching messages without completing the page (run the exact query then).
pub(super) async fn newest_tickets<C>(
    c: &C,
    words: &[String],
    filters: &Condition,
    want: usize,
) -> Result<Option<Vec<TicketId>>, DbErr>
where
    C: ConnectionTrait,
{
    let backend = c.get_database_backend();
    let margin = match backend {
        DatabaseBackend::Postgres => POSTGRES_MARGIN,
        _ => SQLITE_MARGIN,
    };
    let query = match_query(backend, words);
    // Every matching message with an id at or above `below` has been read.
    let mut below = i64::MAX;
    let mut batch = (want as u64 * 2).min(MAX_BATCH);
    let mut read = 0;
    // Whether each ticket seen passes the filters, and the ones that do.
    let mut verdicts: HashMap<i64, bool> = HashMap::new();
    let mut found: BTreeSet<i64> = BTreeSet::new();
    // The first message of the lowest of the best `want`, for the ticket it was looked up for.
    let mut bound: Option<(i64, i64)> = None;
    loop {
        let rows = matching_messages(c, backend, &query, below, batch).await?;
        read += rows.len();
        let exhausted = (rows.len() as u64) < batch;
        if let Some(lowest) = rows.iter().map(|(id, _)| *id).min() {
            below = lowest;
        }
        let unseen: Vec<i64> = rows
            .iter()
            .filter_map(|(_, ticket)| *ticket)
            .filter(|ticket| !verdicts.contains_key(ticket))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !unseen.is_empty() {
            let passing = passing(c, filters, &unseen).await?;
            for ticket in unseen {
                let passes = passing.contains(&ticket);
                verdicts.insert(ticket, passes);
                if passes {
                    found.insert(ticket);
                }
            }
        }
        if exhausted {
            break;
        }
        if let Some(&k) = found.iter().rev().nth(want.saturating_sub(1)) {
            let first = match bound {
                Some((ticket, first)) if ticket == k => first,
                _ => {
                    let first = first_message(c, k).await?;
                    bound = Some((k, first));
                    first
                }
            };
            if below <= first.saturating_sub(margin) {
                break;
            }
            // Within the margin, when few tickets are newer than `k`: look their late matches up
            // through `idx_messages_ticket` instead of walking the margin.
            if margin > 0 && below <= first && newer_than(c, k).await? <= MARGIN_LOOKUP {
                let late = late_matches(c, &query, k, below).await?;
                let unseen: Vec<i64> = late
                    .into_iter()
                    .filter(|ticket| !verdicts.contains_key(ticket))
                    .collect();
                if !unseen.is_empty() {
                    found.extend(passing(c, filters, &unseen).await?);
                }
                break;
            }
        }
        if read >= MAX_READ {
            return Ok(None);
        }
        batch = (batch * 2).min(MAX_BATCH);
    }
    Ok(Some(
        found.into_iter().rev().take(want).map(TicketId).collect(),
    ))
}

/// The index query for `words`: every word must be in the message.
fn match_query(backend: DatabaseBackend, words: &[String]) -> String {
    match backend {
        DatabaseBackend::Postgres => words.join(" "),
        // Each word as an FTS5 string ("…"), which are ANDed; words hold no quote.
        _ => words
            .iter()
            .map(|word| format!("\"{word}\""))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Up to `batch` messages matching `query` with ids below `below`, highest first: (message id,
/// its ticket).
async fn matching_messages<C>(
    c: &C,
    backend: DatabaseBackend,
    query: &str,
    below: i64,
    batch: u64,
) -> Result<Vec<(i64, Option<i64>)>, DbErr>
where
    C: ConnectionTrait,
{
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "SELECT id, ticket_id FROM messages \
             WHERE to_tsvector('simple', text) @@ plainto_tsquery('simple', $1) AND id < $2 \
             ORDER BY id DESC LIMIT $3"
        }
        _ => {
            "SELECT f.id AS id, m.ticket_id AS ticket_id FROM \
             (SELECT rowid AS id FROM messages_fts WHERE messages_fts MATCH ? AND rowid < ? \
              ORDER BY rowid DESC LIMIT ?) AS f \
             LEFT JOIN messages m ON m.id = f.id"
        }
    };
    let rows = c
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [query.into(), below.into(), (batch as i64).into()],
        ))
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("", "id")?, row.try_get("", "ticket_id")?)))
        .collect()
}

/// How many ticket numbers lie above `ticket` (numbers are dense: an upper bound of the tickets).
async fn newer_than<C>(c: &C, ticket: i64) -> Result<i64, DbErr>
where
    C: ConnectionTrait,
{
    let newest: Option<Option<i64>> = ticket::Entity::find()
        .select_only()
        .expr(ticket::Column::Id.max())
        .into_tuple()
        .one(c)
        .await?;
    Ok(newest.flatten().unwrap_or(ticket) - ticket)
}

/// The tickets numbered above `ticket` with a message matching `query` (PostgreSQL's form) whose id
/// is below `below`: the ones a walk stopped at `below` has not read. Served by
/// `idx_messages_ticket (ticket_id, id)`: the range of tickets above `ticket`, the id checked in the
/// index, the text only for the few rows below `below`.
async fn late_matches<C>(c: &C, query: &str, ticket: i64, below: i64) -> Result<Vec<i64>, DbErr>
where
    C: ConnectionTrait,
{
    let rows = c
        .query_all_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT DISTINCT ticket_id FROM messages WHERE ticket_id > $1 AND id < $2 \
             AND to_tsvector('simple', text) @@ plainto_tsquery('simple', $3)",
            [ticket.into(), below.into(), query.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| row.try_get("", "ticket_id"))
        .collect()
}

/// Which of `tickets` pass `filters`.
async fn passing<C>(c: &C, filters: &Condition, tickets: &[i64]) -> Result<BTreeSet<i64>, DbErr>
where
    C: ConnectionTrait,
{
    let backend = c.get_database_backend();
    let mut passing = BTreeSet::new();
    for chunk in tickets.chunks(500) {
        let mut statement = ticket::Entity::find()
            .select_only()
            .expr(Expr::col((ticket::Entity, ticket::Column::Id)))
            .filter(filters.clone())
            .filter(ticket::Column::Id.is_in(chunk.iter().copied()))
            .build(backend);
        if backend == DatabaseBackend::Sqlite {
            // SQLite's planner would rather walk an index of a filter's column (an agent's
            // department: a fifth of a million tickets, 92 ms on the 1M seed) than look the listed
            // ids up; NOT INDEXED leaves it the rowid lookups (0.7 ms).
            statement.sql =
                statement
                    .sql
                    .replacen(r#"FROM "tickets""#, r#"FROM "tickets" NOT INDEXED"#, 1);
        }
        for row in c.query_all_raw(statement).await? {
            passing.insert(row.try_get_by_index::<i64>(0)?);
        }
    }
    Ok(passing)
}

/// The lowest id of `ticket`'s messages (served by `idx_messages_ticket (ticket_id, id)`).
async fn first_message<C>(c: &C, ticket: i64) -> Result<i64, DbErr>
where
    C: ConnectionTrait,
{
    let first: Option<Option<i64>> = message::Entity::find()
        .select_only()
        .expr(message::Column::Id.min())
        .filter(message::Column::TicketId.eq(ticket))
        .into_tuple()
        .one(c)
        .await?;
    // A ticket found through a message has one; without any, nothing bounds the walk.
    Ok(first.flatten().unwrap_or(i64::MIN))
}
