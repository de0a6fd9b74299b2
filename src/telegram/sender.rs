//! The outbox sender: delivers queued outbound messages with sendMessage, honouring Telegram's
//! retry_after, retrying while Telegram is unreachable, and recording permanent failures (a customer
//! who blocked the bot) for the operator to see.

use std::time::Duration;

use teloxide::{
    ApiError, RequestError, payloads::SendMessageSetters, prelude::Requester,
    types::InlineKeyboardMarkup,
};
use tokio_util::sync::CancellationToken;

use crate::{
    domain::{MessageId, TelegramMessageId, TelegramUserId},
    service::{Outbound, Service},
};

/// How many queued messages one pass looks at.
const BATCH: u64 = 100;
/// How often the outbox is checked without a wake-up (messages queued by other instances).
const IDLE_CHECK: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Delivers until `shutdown`. A send in flight is finished before stopping.
pub async fn run(bot: teloxide::Bot, service: Service, shutdown: CancellationToken) {
    let mut backoff = Duration::from_secs(1);
    loop {
        let ids = match service.queued_messages(BATCH).await {
            Ok(ids) => ids,
            Err(error) => {
                tracing::warn!(%error, "reading the outbox failed");
                Vec::new()
            }
        };
        let mut pause = None;
        for id in &ids {
            if shutdown.is_cancelled() {
                return;
            }
            match deliver(&bot, &service, *id).await {
                Step::Done => backoff = Duration::from_secs(1),
                Step::Wait(d) => {
                    pause = Some(d);
                    break;
                }
                Step::Backoff => {
                    pause = Some(backoff);
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    break;
                }
            }
        }
        let wait = pause.unwrap_or(IDLE_CHECK);
        if pause.is_none() && !ids.is_empty() {
            continue;
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = service.outbox().woken(), if pause.is_none() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

enum Step {
    Done,
    /// Telegram asked for this pause.
    Wait(Duration),
    /// Telegram is unreachable; back off.
    Backoff,
}

async fn deliver(bot: &teloxide::Bot, service: &Service, id: MessageId) -> Step {
    let outbound: Outbound = match service.claim_outbound(id).await {
        Ok(Some(o)) => o,
        Ok(None) => return Step::Done,
        Err(error) => {
            tracing::warn!(message.id = %id, %error, "claiming an outbound message failed");
            return Step::Backoff;
        }
    };
    let mut request = bot.send_message(
        teloxide::types::ChatId(outbound.chat_id.0),
        outbound.text.clone(),
    );
    if let Some(markup) = &outbound.reply_markup {
        match serde_json::from_str::<InlineKeyboardMarkup>(markup) {
            Ok(keyboard) => request = request.reply_markup(keyboard),
            Err(error) => {
                tracing::error!(message.id = %id, %error, "a stored keyboard does not parse; sending the text alone");
            }
        }
    }
    let result = request.await;
    let (step, recorded) = match result {
        Ok(sent) => (
            Step::Done,
            service
                .outbound_sent(id, TelegramMessageId(i64::from(sent.id.0)))
                .await,
        ),
        Err(RequestError::RetryAfter(seconds)) => {
            tracing::warn!(
                message.id = %id,
                seconds = seconds.seconds(),
                "Telegram rate limit; waiting"
            );
            let note = format!("Telegram rate limit; retrying in {} s", seconds.seconds());
            (
                Step::Wait(seconds.duration()),
                service.retry_outbound(id, &note).await,
            )
        }
        Err(error @ (RequestError::Network(_) | RequestError::Io(_))) => {
            tracing::warn!(message.id = %id, %error, "Telegram unreachable; will retry");
            (
                Step::Backoff,
                service
                    .retry_outbound(id, "Telegram is unreachable; retrying")
                    .await,
            )
        }
        Err(error) => {
            let reason = failure_reason(&error);
            tracing::warn!(message.id = %id, chat.id = %outbound.chat_id, %error, "message not delivered");
            let mut recorded = service.outbound_failed(id, &reason).await;
            if recorded.is_ok() && unreachable(&error) {
                // No later message can reach them either: fail the queued ones, tell the agents.
                let customer = TelegramUserId(outbound.chat_id.0);
                recorded = service
                    .customer_unreachable(customer, &reason)
                    .await
                    .map(drop);
            }
            (Step::Done, recorded)
        }
    };
    if let Err(error) = recorded {
        tracing::error!(message.id = %id, %error, "recording a delivery outcome failed");
        return Step::Backoff;
    }
    step
}

/// Whether the error says the customer cannot be reached by any message (blocked the bot, or
/// deleted their account).
fn unreachable(error: &RequestError) -> bool {
    matches!(
        error,
        RequestError::Api(ApiError::BotBlocked | ApiError::UserDeactivated)
    )
}

/// Why a message can never be delivered, in words for the operator.
fn failure_reason(error: &RequestError) -> String {
    match error {
        RequestError::Api(ApiError::BotBlocked) => super::process::BLOCKED.to_owned(),
        RequestError::Api(ApiError::UserDeactivated) => {
            "the customer's Telegram account is deleted".to_owned()
        }
        RequestError::Api(ApiError::ChatNotFound) => "Telegram does not know this chat".to_owned(),
        RequestError::Api(ApiError::MessageIsTooLong) => {
            "the message is too long for Telegram".to_owned()
        }
        RequestError::Api(ApiError::MessageTextIsEmpty) => "the message is empty".to_owned(),
        RequestError::Api(other) => format!("Telegram refused the message: {other}"),
        other => format!("Telegram error: {other}"),
    }
}
