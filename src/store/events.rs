//! The durable events table: every change a console should hear of, written in the same
//! transaction as the change. Its id is the `seq` consoles see.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, Set, Statement};

use super::entity::event;
use crate::domain::{DepartmentId, EventSeq, TicketId};

/// The PostgreSQL channel that tells other instances an event was committed.
pub const NOTIFY_CHANNEL: &str = "switchboard_events";

/// Writes an event of `kind` about a ticket of `department_id`; `payload` is its JSON.
pub async fn insert<C>(
    c: &C,
    department_id: DepartmentId,
    ticket_id: Option<TicketId>,
    kind: &str,
    payload: String,
) -> Result<event::Model, DbErr>
where
    C: ConnectionTrait,
{
    event::ActiveModel {
        kind: Set(kind.to_owned()),
        department_id: Set(department_id),
        ticket_id: Set(ticket_id),
        payload: Set(payload),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(c)
    .await
}

/// Event seqs per notification: PostgreSQL's payload limit is 8000 bytes.
const SEQS_PER_NOTIFICATION: usize = 400;

/// On PostgreSQL, tells the other instances which events `instance` wrote in this transaction:
/// the notification goes out when the transaction commits, and only then. Payload:
/// `instance:seq,seq,...`. Nothing to do on SQLite.
pub async fn announce<C>(c: &C, instance: &str, seqs: &[EventSeq]) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    if !super::is_postgres(c) {
        return Ok(());
    }
    for chunk in seqs.chunks(SEQS_PER_NOTIFICATION) {
        let list: Vec<String> = chunk.iter().map(EventSeq::to_string).collect();
        c.execute_raw(Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [
                NOTIFY_CHANNEL.into(),
                format!("{instance}:{}", list.join(",")).into(),
            ],
        ))
        .await?;
    }
    Ok(())
}

/// The events with these seqs, in order.
pub async fn by_seqs<C>(c: &C, seqs: Vec<EventSeq>) -> Result<Vec<event::Model>, DbErr>
where
    C: ConnectionTrait,
{
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    event::Entity::find()
        .filter(event::Column::Id.is_in(seqs))
        .order_by_asc(event::Column::Id)
        .all(c)
        .await
}
