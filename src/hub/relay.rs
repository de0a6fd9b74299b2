//! Carries events between instances that share one PostgreSQL: each committed event sends a
//! NOTIFY naming it; every other instance loads it by seq and publishes it to its own consoles.

use sea_orm::{DatabaseConnection, sqlx::postgres::PgListener};
use tokio_util::sync::CancellationToken;

use super::{Hub, LiveEvent};
use crate::store::{self, events::NOTIFY_CHANNEL};

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
        let Some((instance, seq)) = notification.payload().split_once(':') else {
            continue;
        };
        if instance == hub.instance() {
            continue;
        }
        let Ok(seq) = seq.parse::<i64>() else {
            continue;
        };
        match store::events::find(&db, seq).await {
            Ok(Some(row)) => hub.publish(&LiveEvent::from_row(&row)),
            Ok(None) => tracing::warn!(seq, "relayed event not found"),
            Err(error) => tracing::warn!(seq, %error, "loading relayed event"),
        }
    }
}
