//! The one ordered path from the event log to this instance's consoles. Events reach the log in
//! commit order (see `store::events`), so reading "everything after the last seq published", in
//! seq order, never skips an event that commits later. The tailer wakes when this instance
//! committed events, when the relay says another instance did, and every second regardless.
//!
//! Events this instance committed are handed over with the wake-up (`Hub::committed`), and the
//! ones that follow the last seq published without a gap are published at once, without reading
//! them back: once seq N committed, every smaller seq is committed or gone for good, so the seq
//! right after the cursor is the next event. Anything else (a gap, another instance's events, a
//! wake-up without rows, the safety poll) reads the log as before.

use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;

use super::{Hub, LiveEvent};
use crate::{domain::EventSeq, store, store::entity::event};

/// Events read per query.
const BATCH: u64 = 1_000;
/// The safety poll: how long the tailer waits without a wake-up before it reads anyway.
const POLL: Duration = Duration::from_secs(1);

/// Publishes every event after `start` (the newest seq when the instance started), in seq order,
/// until `shutdown`.
pub async fn run(db: DatabaseConnection, hub: Hub, start: EventSeq, shutdown: CancellationToken) {
    let mut cursor = start;
    let mut read = true;
    loop {
        let (must_read, handed) = hub.take_committed();
        let gap = publish_handed(&hub, &mut cursor, handed);
        if read || must_read || gap {
            cursor = catch_up(&db, &hub, cursor).await;
        }
        read = tokio::select! {
            () = shutdown.cancelled() => return,
            () = hub.log_grown() => false,
            () = tokio::time::sleep(POLL) => true,
        };
    }
}

/// Publishes the handed rows that follow `cursor` without a gap, advancing it; returns whether
/// any row was left behind a gap (the log must be read).
fn publish_handed(hub: &Hub, cursor: &mut EventSeq, mut handed: Vec<event::Model>) -> bool {
    handed.sort_unstable_by_key(|row| row.id);
    for row in &handed {
        if row.id <= *cursor {
            continue;
        }
        if row.id.0 != cursor.0 + 1 {
            return true;
        }
        publish(hub, row);
        *cursor = row.id;
    }
    false
}

/// Publishes one row of the log: a console event to the consoles, a control entry to the hub.
fn publish(hub: &Hub, row: &event::Model) {
    match super::Control::of_kind(&row.kind) {
        Some(control) => hub.control(control),
        None => hub.publish(&LiveEvent::from_row(row)),
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
            publish(hub, row);
            cursor = row.id;
        }
        if (rows.len() as u64) < BATCH {
            return cursor;
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::{AgentId, DepartmentId, Scope};

    fn row(seq: i64) -> event::Model {
        event::Model {
            id: EventSeq(seq),
            kind: "note.created".to_owned(),
            department_id: DepartmentId(1),
            ticket_id: None,
            hidden_from: None,
            payload: format!(r#"{{"type":"note.created","n":{seq}}}"#),
            created_at: Utc::now(),
        }
    }

    fn seqs(subscription: &mut crate::hub::Subscription) -> Vec<i64> {
        let mut seqs = Vec::new();
        while let Ok(frame) = subscription.events.try_recv() {
            seqs.push(frame.seq.expect("an event").0);
        }
        seqs
    }

    #[test]
    fn handed_rows_that_follow_the_cursor_are_published_in_seq_order() {
        let hub = Hub::new("test".to_owned());
        let mut console = hub.subscribe(AgentId(1), Scope::All);
        let mut cursor = EventSeq(4);
        let gap = publish_handed(&hub, &mut cursor, vec![row(7), row(5), row(4), row(6)]);
        assert!(!gap);
        assert_eq!(cursor, EventSeq(7));
        assert_eq!(
            seqs(&mut console),
            vec![5, 6, 7],
            "seq 4 was published before"
        );
    }

    #[test]
    fn rows_after_a_gap_are_left_for_the_log_read() {
        let hub = Hub::new("test".to_owned());
        let mut console = hub.subscribe(AgentId(1), Scope::All);
        let mut cursor = EventSeq(4);
        let gap = publish_handed(&hub, &mut cursor, vec![row(5), row(7), row(8)]);
        assert!(gap, "seq 6 may be another writer's, not yet read");
        assert_eq!(cursor, EventSeq(5));
        assert_eq!(seqs(&mut console), vec![5]);
    }

    #[test]
    fn committed_rows_reach_the_tailer_and_a_plain_wake_up_asks_it_to_read() {
        let hub = Hub::new("test".to_owned());
        hub.committed(vec![row(1)]);
        let (must_read, handed) = hub.take_committed();
        assert!(!must_read);
        assert_eq!(handed.len(), 1);
        hub.log_grew();
        let (must_read, handed) = hub.take_committed();
        assert!(must_read && handed.is_empty());
    }
}
