//! Carries events between instances that share one PostgreSQL: each committing transaction sends
//! one NOTIFY naming its events; every other instance loads them by seq and publishes them to its
//! own consoles.

use sea_orm::{DatabaseConnection, sqlx::postgres::PgListener};
use tokio_util::sync::CancellationToken;

use super::{Hub, LiveEvent};
use crate::{
    domain::EventSeq,
    store::{self, events::NOTIFY_CHANNEL},
};

/// Listens for other instances' events until `shutdown`. Only for PostgreSQL.
pub async fn run(
    db: DatabaseConnection,
    hub: Hub,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let mut listener = PgListener::connect_with(db.get_postgres_connection_pool()).await?;
    listener.listen(NOTIFY_CHANNEL).await?;
    tracing::info!("relaying live events between instances");
    loop {
        let notification = tokio::select! {
            () = shutdown.cancelled() => return Ok(()),
            n = listener.recv() => n,
        };
        let notification = match notification {
            Ok(n) => n,
            Err(error) => {
                // The listener reconnects by itself; events sent meanwhile are lost to live
                // consoles, which reload their queues when they reconnect.
                tracing::warn!(%error, "event relay lost its PostgreSQL connection");
                continue;
            }
        };
        let Some((instance, seqs)) = notification.payload().split_once(':') else {
            continue;
        };
        if instance == hub.instance() {
            continue;
        }
        let seqs: Vec<EventSeq> = seqs.split(',').filter_map(|s| s.parse().ok()).collect();
        let rows = match store::events::by_seqs(&db, seqs).await {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!(%error, "loading relayed events");
                continue;
            }
        };
        for row in &rows {
            match LiveEvent::from_row(row) {
                Ok(event) => hub.publish(&event),
                Err(error) => {
                    tracing::error!(event.seq = %row.id, %error, "a stored event does not parse")
                }
            }
        }
    }
}
