//! Long polling with at-least-once delivery: an update's offset is confirmed to Telegram (by the
//! next getUpdates) only after the update was committed; a repeated update changes nothing.

use std::time::Duration;

use teloxide::types::Update;
use tokio_util::sync::CancellationToken;

use super::{
    fetch::{self, FetchError},
    process::{self, Processed},
    update::{self, Received},
};

use sea_orm::sqlx::PgConnection;

use crate::{
    service::{IncomingMessage, IngestOutcome, Service, ServiceError},
    store,
};

/// The longest pause after a failure before polling again.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The update kinds Switchboard asks Telegram for (by polling or webhook).
pub const ALLOWED_UPDATES: &[&str] = &[
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
];

/// How often a standby instance checks whether it may take over polling.
const STANDBY_CHECK: Duration = Duration::from_secs(2);

/// Polls until `shutdown`. `timeout` is the long-poll wait in seconds (under the client's 17 s).
/// Telegram serves one getUpdates consumer per bot, so on PostgreSQL only the instance holding the
/// poller lock polls; the others stand by and take over when it goes away. A webhook left from
/// webhook mode is deleted first (Telegram refuses getUpdates while one is set).
pub async fn run(bot: teloxide::Bot, service: Service, timeout: u32, shutdown: CancellationToken) {
    let Some(_leadership) = leadership(&service, &shutdown).await else {
        return;
    };
    if !super::webhook::unregister(&bot, service.telegram_calls(), &shutdown).await {
        return;
    }
    let mut offset: i32 = 0;
    let mut backoff = Duration::from_secs(1);
    let mut first = true;
    loop {
        let allowed = first.then_some(ALLOWED_UPDATES);
        let result = tokio::select! {
            () = shutdown.cancelled() => return,
            r = fetch::get_updates(&bot, service.telegram_calls(), offset, timeout, allowed) => r,
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

/// Ingests a batch's customer messages in one go and advances `offset` past it; presses and
/// membership changes (a customer blocking the bot) follow, one by one. If the batch holds an unreadable update or fails as a whole, its updates are
/// processed one by one (`process::process`, as the webhook does): a poison update is dead-lettered
/// and skipped, and a transient failure holds back only that update and those after it (which are
/// fetched again).
async fn ingest_batch(
    bot: &teloxide::Bot,
    service: &Service,
    updates: Vec<Received>,
    offset: &mut i32,
) -> Result<(), ServiceError> {
    let readable: Option<Vec<&Update>> = updates.iter().map(|r| r.read.as_ref().ok()).collect();
    if let Some(readable) = readable {
        let messages: Option<Vec<IncomingMessage>> = readable
            .iter()
            .filter_map(|u| update::read_incoming(u).transpose())
            .collect::<Result<_, _>>()
            .ok();
        tracing::debug!(updates = updates.len(), "ingesting a batch");
        let ingested = match messages {
            Some(messages) if messages.is_empty() => Ok(()),
            Some(messages) => service.ingest_chats(&messages).await,
            None => Err(ServiceError::Invalid(
                "a message cannot be stored".to_owned(),
            )),
        };
        match ingested {
            Ok(()) => {
                // Presses and edits after the messages: a question is only answered after its
                // ticket exists, and a message is edited after it is stored.
                for (received, update) in updates.iter().zip(&readable) {
                    if update::press(update).is_some()
                        || update::membership(update).is_some()
                        || update::read_edit(update).is_some()
                    {
                        process::process(bot, service, received).await?;
                    }
                    advance(offset, received);
                }
                return Ok(());
            }
            Err(error) => {
                tracing::warn!(%error, "ingesting a batch failed; processing its updates one by one")
            }
        }
    }
    for received in &updates {
        let processed = process::process(bot, service, received).await?;
        if processed == Processed::Ingested(IngestOutcome::Duplicate) {
            tracing::debug!(
                update.id = received.id.map(|id| id.0),
                "update ingested before"
            );
        }
        advance(offset, received);
    }
    Ok(())
}

/// Moves `offset` past `received` (an update without a readable id leaves it where it is).
fn advance(offset: &mut i32, received: &Received) {
    if let Some(next) = received
        .id
        .and_then(|id| i32::try_from(id.0 + 1).ok())
        .filter(|next| *next > *offset)
    {
        *offset = next;
    }
}
