//! Long polling with at-least-once delivery: an update's offset is confirmed to Telegram (by the
//! next getUpdates) only after the update was committed; a repeated update changes nothing.

use std::time::Duration;

use teloxide::types::Update;
use tokio_util::sync::CancellationToken;

use super::{
    callbacks,
    fetch::{self, FetchError},
    update,
};
use tracing::Instrument;

use sea_orm::sqlx::PgConnection;

use crate::{
    service::{IncomingMessage, IngestOutcome, Service},
    store,
};

/// The longest pause after a failure before polling again.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The update kinds Switchboard asks Telegram for.
const ALLOWED_UPDATES: &[&str] = &["message", "callback_query"];

/// How often a standby instance checks whether it may take over polling.
const STANDBY_CHECK: Duration = Duration::from_secs(2);

/// Polls until `shutdown`. `timeout` is the long-poll wait in seconds (under the client's 17 s).
/// Telegram serves one getUpdates consumer per bot, so on PostgreSQL only the instance holding the
/// poller lock polls; the others stand by and take over when it goes away.
pub async fn run(bot: teloxide::Bot, service: Service, timeout: u32, shutdown: CancellationToken) {
    let Some(_leadership) = leadership(&service, &shutdown).await else {
        return;
    };
    let mut offset: i32 = 0;
    let mut backoff = Duration::from_secs(1);
    let mut first = true;
    loop {
        let allowed = first.then_some(ALLOWED_UPDATES);
        let result = tokio::select! {
            () = shutdown.cancelled() => return,
            r = fetch::get_updates(&bot, offset, timeout, allowed) => r,
        };
        let wait = match result {
            Ok(updates) => {
                first = false;
                backoff = Duration::from_secs(1);
                match ingest_batch(&bot, &service, updates, &mut offset).await {
                    Ok(()) => continue,
                    Err(error) => {
                        tracing::error!(error = %error, "storing a Telegram update failed; it will be fetched again");
                        backoff
                    }
                }
            }
            Err(FetchError::RetryAfter(wait)) => {
                tracing::warn!(
                    seconds = wait.as_secs(),
                    "Telegram asked us to wait before polling"
                );
                wait
            }
            Err(FetchError::Other(error)) => {
                tracing::warn!(error = ?error, "polling Telegram failed");
                backoff
            }
        };
        backoff = (backoff * 2).min(MAX_BACKOFF);
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// Waits until this instance may poll: at once on SQLite; on PostgreSQL once it holds the poller
/// lock (kept for as long as the returned connection lives). None on shutdown.
async fn leadership(
    service: &Service,
    shutdown: &CancellationToken,
) -> Option<Option<PgConnection>> {
    if !store::is_postgres(service.db()) {
        return Some(None);
    }
    let mut announced = false;
    loop {
        match store::leader::try_lock_poller(service.db()).await {
            Ok(Some(connection)) => {
                tracing::info!("this instance polls Telegram");
                return Some(Some(connection));
            }
            Ok(None) if !announced => {
                tracing::info!("another instance polls Telegram; standing by");
                announced = true;
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "checking the poller lock failed"),
        }
        tokio::select! {
            () = shutdown.cancelled() => return None,
            () = tokio::time::sleep(STANDBY_CHECK) => {}
        }
    }
}

/// Ingests a batch in one transaction and advances `offset` past it. If the batch fails as a
/// whole, its updates are ingested one by one so that one bad update holds back only itself and
/// those after it (which are fetched again).
async fn ingest_batch(
    bot: &teloxide::Bot,
    service: &Service,
    updates: Vec<Update>,
    offset: &mut i32,
) -> anyhow::Result<()> {
    let Some(last) = updates.last().map(|u| u.id.as_offset()) else {
        return Ok(());
    };
    let messages: Vec<IncomingMessage> = updates.iter().filter_map(update::incoming).collect();
    tracing::debug!(
        updates = updates.len(),
        messages = messages.len(),
        "ingesting a batch"
    );
    let presses = updates.iter().filter_map(update::press).count();
    if messages.is_empty() && presses == 0 {
        *offset = last;
        return Ok(());
    }
    let ingested = if messages.is_empty() {
        Ok(())
    } else {
        service.ingest_chats(&messages).await
    };
    match ingested {
        Ok(()) if presses == 0 => {
            *offset = last;
            return Ok(());
        }
        Ok(()) => {
            // Presses after the messages: a question is only answered after its ticket exists.
            for update in &updates {
                if let Some(query) = update::press(update) {
                    callbacks::handle(bot, service, query)
                        .instrument(tracing::info_span!("update", update.id = update.id.0))
                        .await?;
                }
                *offset = update.id.as_offset();
            }
            return Ok(());
        }
        Err(error) => {
            tracing::warn!(%error, "ingesting a batch failed; trying its updates one by one")
        }
    }
    for update in updates {
        if let Some(message) = update::incoming(&update) {
            let outcome = service
                .ingest(&message)
                .instrument(tracing::info_span!("update", update.id = update.id.0))
                .await?;
            if outcome == IngestOutcome::Duplicate {
                tracing::debug!(update.id = update.id.0, "update ingested before");
            }
        } else if let Some(query) = update::press(&update) {
            callbacks::handle(bot, service, query)
                .instrument(tracing::info_span!("update", update.id = update.id.0))
                .await?;
        }
        *offset = update.id.as_offset();
    }
    Ok(())
}
