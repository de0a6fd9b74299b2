//! The durable events table: every change a console should hear of. Its id is the `seq` consoles
//! see, and seqs are handed out in commit order: a transaction writes its events as the very last
//! thing before it commits, under a lock that serializes event writers (on PostgreSQL a
//! transaction-level advisory lock; on SQLite the database's own write lock). So once seq N is
//! visible, every smaller seq is committed or gone for good, and "every event after N" read at
//! any moment never skips one that commits later.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement, sea_query::Expr,
};

use super::entity::{event, event_watermark};
use crate::domain::{DepartmentId, EventSeq, Scope, TicketId};

/// The PostgreSQL channel that wakes other instances' tailers when events were committed; the
/// payload is the writing instance's name.
pub const NOTIFY_CHANNEL: &str = "switchboard_events";

/// The advisory lock that serializes event writers on PostgreSQL ("SWBTEVNT"); held from the
/// insert of a transaction's events to its commit.
const EVENT_WRITERS_LOCK: i64 = 0x5357_4254_4556_4e54;

/// An event a transaction will write when it commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub department_id: DepartmentId,
    pub ticket_id: Option<TicketId>,
    /// Consoles that see this department do not get the event.
    pub hidden_from: Option<DepartmentId>,
    /// The event's `type`.
    pub kind: &'static str,
    /// The event as JSON (an object with its `type`, without the seq).
    pub payload: String,
}

/// Writes a transaction's events as its last statements before the commit: takes the event
/// writers' lock (PostgreSQL), inserts them all in one statement, and queues the NOTIFY that
/// wakes other instances when the transaction commits. Returns the rows in seq order. Nothing
/// that takes a row lock may run in the transaction after this (the lock is held until commit).
pub async fn append(
    txn: &DatabaseTransaction,
    instance: &str,
    events: Vec<NewEvent>,
) -> Result<Vec<event::Model>, DbErr> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let postgres = super::is_postgres(txn);
    if postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [EVENT_WRITERS_LOCK.into()],
        ))
        .await?;
    }
    let now = Utc::now();
    let rows = events.into_iter().map(|e| event::ActiveModel {
        kind: Set(e.kind.to_owned()),
        department_id: Set(e.department_id),
        ticket_id: Set(e.ticket_id),
        hidden_from: Set(e.hidden_from),
        payload: Set(e.payload),
        created_at: Set(now),
        ..Default::default()
    });
    let mut written = event::Entity::insert_many(rows)
        .exec_with_returning(txn)
        .await?;
    written.sort_by_key(|row| row.id);
    if postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [NOTIFY_CHANNEL.into(), instance.into()],
        ))
        .await?;
    }
    Ok(written)
}

/// Up to `limit` events after `cursor`, in seq order, for every department (the tailer's read).
pub async fn after<C>(c: &C, cursor: EventSeq, limit: u64) -> Result<Vec<event::Model>, DbErr>
where
    C: ConnectionTrait,
{
    event::Entity::find()
        .filter(event::Column::Id.gt(cursor))
        .order_by_asc(event::Column::Id)
        .limit(limit)
        .all(c)
        .await
}

/// Up to `limit` events after `cursor` that a console of `scope` gets, in seq order: about a
/// department in scope, and not hidden from one in scope (as `LiveEvent::reaches` decides).
pub async fn after_in_scope<C>(
    c: &C,
    cursor: EventSeq,
    scope: &Scope,
    limit: u64,
) -> Result<Vec<event::Model>, DbErr>
where
    C: ConnectionTrait,
{
    let mut query = event::Entity::find().filter(event::Column::Id.gt(cursor));
    match scope {
        Scope::All => query = query.filter(event::Column::HiddenFrom.is_null()),
        Scope::Departments(ids) if ids.is_empty() => return Ok(Vec::new()),
        Scope::Departments(ids) => {
            query = query
                .filter(event::Column::DepartmentId.is_in(ids.iter().copied()))
                .filter(
                    event::Column::HiddenFrom
                        .is_null()
                        .or(event::Column::HiddenFrom.is_not_in(ids.iter().copied())),
                );
        }
    }
    query
        .order_by_asc(event::Column::Id)
        .limit(limit)
        .all(c)
        .await
}

/// The newest seq the log has held: its highest event, or what the pruner deleted when that is
/// higher (all of it pruned); 0 for a log never written.
pub async fn newest<C>(c: &C) -> Result<EventSeq, DbErr>
where
    C: ConnectionTrait,
{
    let highest: Option<Option<EventSeq>> = event::Entity::find()
        .select_only()
        .column_as(event::Column::Id.max(), "max")
        .into_tuple()
        .one(c)
        .await?;
    let highest = highest.flatten().unwrap_or(EventSeq(0));
    Ok(Ord::max(highest, pruned_through(c).await?))
}

/// The highest seq the pruner has deleted (0 when it never deleted one): a console that resumes
/// from before it has missed events the log no longer holds.
pub async fn pruned_through<C>(c: &C) -> Result<EventSeq, DbErr>
where
    C: ConnectionTrait,
{
    Ok(event_watermark::Entity::find_by_id(1)
        .one(c)
        .await?
        .map_or(EventSeq(0), |row| row.pruned_through))
}

/// Records that the pruner deleted events up to `seq` (never lowers the mark). Runs in the
/// pruner's transaction with the delete.
pub async fn raise_pruned_through<C>(c: &C, seq: EventSeq) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    event_watermark::Entity::update_many()
        .col_expr(event_watermark::Column::PrunedThrough, Expr::value(seq.0))
        .filter(event_watermark::Column::Id.eq(1))
        .filter(event_watermark::Column::PrunedThrough.lt(seq))
        .exec(c)
        .await?;
    Ok(())
}
