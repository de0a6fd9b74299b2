//! Wakes this instance's tailer when another instance sharing the PostgreSQL database committed
//! events: each committing transaction sends one NOTIFY naming its instance. The tailer then reads
//! the log itself, so a notification lost while the listener reconnects costs at most the
//! tailer's safety poll.

use sea_orm::{DatabaseConnection, sqlx::postgres::PgListener};
use tokio_util::sync::CancellationToken;

use super::Hub;
use crate::store::events::NOTIFY_CHANNEL;

/// Listens for other instances' events until `shutdown`. Only for PostgreSQL.
pub async fn run(
    db: DatabaseConnection,
    hub: Hub,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let mut listener = PgListener::connect_with(db.get_postgres_connection_pool()).await?;
    listener.listen(NOTIFY_CHANNEL).await?;
    tracing::info!("listening for other instances' live events");
    loop {
        let notification = tokio::select! {
            () = shutdown.cancelled() => return Ok(()),
            n = listener.recv() => n,
        };
        match notification {
            // This instance's own commits wake the tailer directly.
            Ok(n) if n.payload() == hub.instance() => {}
            Ok(_) => hub.log_grew(),
            Err(error) => {
                // The listener reconnects by itself; the tailer reads what was missed.
                tracing::warn!(%error, "event relay lost its PostgreSQL connection");
                hub.log_grew();
            }
        }
    }
}
