//! Processing one Telegram update, the same whichever way it came (long polling or the webhook):
//! a customer's message is ingested, a button press handled, and a poison update (one that cannot
//! be processed for a reason that will not go away) kept as a dead letter and marked done, so the
//! updates behind it flow. A transient failure (a lost connection, a timeout) is an error: the
//! update is then fetched or delivered again.

use tracing::Instrument;

use super::{
    callbacks,
    update::{self, Membership, Received},
};

/// Why a customer who blocked the bot cannot be reached, for the agent.
pub const BLOCKED: &str = "the customer blocked the bot";
use crate::service::{IngestOutcome, Service, ServiceError};

/// What became of an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processed {
    /// A customer's message, ingested (or a repeat of one: `IngestOutcome::Duplicate`).
    Ingested(IngestOutcome),
    /// A button press, handled.
    Pressed,
    /// A customer blocked or unblocked the bot (`my_chat_member`), recorded.
    Membership,
    /// A customer's edit of a message, applied (or a repeat, or of a message not stored).
    Edited,
    /// A poison update, kept as a dead letter.
    DeadLettered,
    /// A poison update that was dead-lettered before (a repeat).
    Repeat,
    /// An update of a kind Switchboard does not serve (a group message, say).
    Ignored,
}

/// Processes one update. Only a transient failure is an error; the caller tries again later.
pub async fn process(
    bot: &teloxide::Bot,
    service: &Service,
    received: &Received,
) -> Result<Processed, ServiceError> {
    let span = tracing::info_span!("update", update.id = received.id.map(|id| id.0));
    async {
        let update = match &received.read {
            Ok(update) => update,
            Err(reason) => return dead_letter(service, received, reason).await,
        };
        let handled = match update::read_incoming(update) {
            Err(reason) => return dead_letter(service, received, &reason).await,
            Ok(Some(message)) => service.ingest(&message).await.map(Processed::Ingested),
            Ok(None) => match (
                update::press(update),
                update::membership(update),
                update::read_edit(update),
            ) {
                (Some(query), _, _) => callbacks::handle(bot, service, query)
                    .await
                    .map(|()| Processed::Pressed),
                (None, Some(Membership::Blocked(customer)), _) => service
                    .customer_unreachable(customer, BLOCKED)
                    .await
                    .map(|_| Processed::Membership),
                (None, Some(Membership::Returned(customer)), _) => service
                    .customer_reachable(customer)
                    .await
                    .map(|_| Processed::Membership),
                (None, None, Some(edit)) => {
                    service.ingest_edit(&edit).await.map(|_| Processed::Edited)
                }
                (None, None, None) => Ok(Processed::Ignored),
            },
        };
        match handled {
            Err(error) if error.is_permanent() => {
                dead_letter(service, received, &error.to_string()).await
            }
            other => other,
        }
    }
    .instrument(span)
    .await
}

async fn dead_letter(
    service: &Service,
    received: &Received,
    reason: &str,
) -> Result<Processed, ServiceError> {
    let stored = service
        .dead_letter(received.id, &received.raw.to_string(), reason)
        .await?;
    Ok(if stored {
        Processed::DeadLettered
    } else {
        Processed::Repeat
    })
}
