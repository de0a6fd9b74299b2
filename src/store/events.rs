//! The durable events table: every change a console should hear of, written in the same
//! transaction as the change. Its id is the `seq` consoles see.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, Set, Statement};
use serde::Serialize;

use super::entity::event;

/// The PostgreSQL channel that tells other instances an event was committed.
pub const NOTIFY_CHANNEL: &str = "switchboard_events";

/// Writes an event. `body` must serialize to a JSON object with a `type` field. On PostgreSQL a
/// notification naming the event (and the instance that wrote it) goes out when the transaction
/// commits, and only then.
pub async fn insert<C, B>(
    c: &C,
    instance: &str,
    department_id: i64,
    ticket_id: Option<i64>,
    kind: &str,
    body: &B,
) -> Result<event::Model, DbErr>
where
    C: ConnectionTrait,
    B: Serialize,
{
    let payload =
        serde_json::to_string(body).map_err(|e| DbErr::Custom(format!("event payload: {e}")))?;
    let row = event::ActiveModel {
        kind: Set(kind.to_owned()),
        department_id: Set(department_id),
        ticket_id: Set(ticket_id),
        payload: Set(payload),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(c)
    .await?;
    if super::is_postgres(c) {
        c.execute_raw(Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [
                NOTIFY_CHANNEL.into(),
                format!("{instance}:{}", row.id).into(),
            ],
        ))
        .await?;
    }
    Ok(row)
}

/// Finds an event by its seq.
pub async fn find<C>(c: &C, seq: i64) -> Result<Option<event::Model>, DbErr>
where
    C: ConnectionTrait,
{
    event::Entity::find_by_id(seq).one(c).await
}
