//! The one ordered path from the event log to this instance's consoles. Events reach the log in
//! commit order (see `store::events`), so reading "everything after the last seq published", in
//! seq order, never skips an event that commits later. The tailer wakes when this instance
//! committed events, when the relay says another instance did, and every second regardless.

use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;

use super::{Hub, LiveEvent};
use crate::{domain::EventSeq, store};

/// Events read per query.
const BATCH: u64 = 1_000;
/// The safety poll: how long the tailer waits without a wake-up before it reads anyway.
const POLL: Duration = Duration::from_secs(1);

/// Publishes every event after `start` (the newest seq when the instance started), in seq order,
/// until `shutdown`.
pub async fn run(db: DatabaseConnection, hub: Hub, start: EventSeq, shutdown: CancellationToken) {
    let mut cursor = start;
    loop {
        cursor = catch_up(&db, &hub, cursor).await;
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = hub.log_grown() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

/// Publishes the events after `cursor` until none is left; returns the last seq published.
async fn catch_up(db: &DatabaseConnection, hub: &Hub, mut cursor: EventSeq) -> EventSeq {
    loop {
        let rows = match store::events::after(db, cursor, BATCH).await {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!(%error, event.seq = %cursor, "reading the event log");
                return cursor;
            }
        };
        for row in &rows {
            match super::Control::of_kind(&row.kind) {
                Some(control) => hub.control(control),
                None => hub.publish(&LiveEvent::from_row(row)),
            }
            cursor = row.id;
        }
        if (rows.len() as u64) < BATCH {
            return cursor;
        }
    }
}
