//! The background pruner: deletes events older than the retention window, Telegram update ids
//! older than Telegram could deliver again and old dead letters, in small batches with pauses between them so ingest
//! never waits behind it. On PostgreSQL one instance prunes at a time (an advisory lock).

use std::time::Duration;

use chrono::Utc;
use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;

use crate::store;

/// How long rows are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// `SWITCHBOARD_EVENT_RETENTION`: events older than this are deleted (default 7 days).
    pub events: Duration,
    /// `SWITCHBOARD_UPDATE_RETENTION`: ingested Telegram update ids older than this are deleted
    /// (default 2 days; Telegram keeps an undelivered update for at most 24 hours, so an older
    /// one cannot come again).
    pub updates: Duration,
    /// `SWITCHBOARD_DEAD_LETTER_RETENTION`: dead letters (updates that could not be processed)
    /// older than this are deleted (default 30 days).
    pub dead_letters: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            events: DEFAULT_EVENT_RETENTION,
            updates: DEFAULT_UPDATE_RETENTION,
            dead_letters: DEFAULT_DEAD_LETTER_RETENTION,
        }
    }
}

pub const DEFAULT_EVENT_RETENTION: Duration = Duration::from_secs(7 * 24 * 60 * 60);
pub const DEFAULT_UPDATE_RETENTION: Duration = Duration::from_secs(2 * 24 * 60 * 60);
pub const DEFAULT_DEAD_LETTER_RETENTION: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// The shortest event retention: instances on PostgreSQL read the events they are told of from
/// the table, moments after they are written.
pub const MIN_EVENT_RETENTION: Duration = Duration::from_secs(60 * 60);
/// The shortest update retention: Telegram's own 24 hours.
pub const MIN_UPDATE_RETENTION: Duration = Duration::from_secs(24 * 60 * 60);

/// Rows one statement deletes.
pub const BATCH: u64 = 1_000;
/// The pause between two batches.
const PAUSE: Duration = Duration::from_millis(50);
/// How often the pruner runs (the first run is a minute after start).
const EVERY: Duration = Duration::from_secs(10 * 60);

/// Prunes every `EVERY` until `shutdown`.
pub async fn run(db: DatabaseConnection, retention: Retention, shutdown: CancellationToken) {
    let mut wait = Duration::from_secs(60);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
        }
        wait = EVERY;
        match prune(&db, retention, &shutdown).await {
            Ok(Pruned {
                events,
                updates,
                dead_letters,
            }) if events + updates + dead_letters > 0 => {
                tracing::info!(events, updates, dead_letters, "pruned old rows");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(error = ?error, "pruning old rows failed"),
        }
    }
}

/// What one pruning deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub events: u64,
    pub updates: u64,
    pub dead_letters: u64,
}

/// Deletes everything older than the retention windows, a batch at a time; on PostgreSQL only
/// when no other instance is pruning (then nothing is deleted here).
pub async fn prune(
    db: &DatabaseConnection,
    retention: Retention,
    shutdown: &CancellationToken,
) -> anyhow::Result<Pruned> {
    let _lock = if store::is_postgres(db) {
        match store::leader::try_lock_pruner(db).await? {
            Some(lock) => Some(lock),
            None => return Ok(Pruned::default()),
        }
    } else {
        None
    };
    let now = Utc::now();
    let events_cutoff = now - chrono::Duration::from_std(retention.events)?;
    let updates_cutoff = now - chrono::Duration::from_std(retention.updates)?;
    let dead_letters_cutoff = now - chrono::Duration::from_std(retention.dead_letters)?;
    let mut pruned = Pruned::default();
    loop {
        let events = store::retention::prune_events(db, events_cutoff, BATCH).await?;
        let updates = store::retention::prune_updates(db, updates_cutoff, BATCH).await?;
        let dead_letters =
            store::retention::prune_dead_letters(db, dead_letters_cutoff, BATCH).await?;
        pruned.events += events;
        pruned.updates += updates;
        pruned.dead_letters += dead_letters;
        if (events < BATCH && updates < BATCH && dead_letters < BATCH) || shutdown.is_cancelled() {
            return Ok(pruned);
        }
        tokio::time::sleep(PAUSE).await;
    }
}
