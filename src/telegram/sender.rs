//! The outbox sender: delivers queued outbound messages with sendMessage, sendPhoto or
//! sendDocument, paced under Telegram's limits and in order per chat, honouring Telegram's
//! retry_after, retrying while Telegram is unreachable, and recording permanent failures (a customer
//! who blocked the bot) for the operator to see.

use std::{collections::HashSet, time::Duration};

use teloxide::{
    ApiError, RequestError,
    payloads::{SendDocumentSetters, SendMessageSetters, SendPhotoSetters},
    prelude::Requester,
    types::{InlineKeyboardMarkup, InputFile, Message, ReplyParameters},
};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::pacing::Pacer;
use crate::{
    domain::{ChatId, MessageId, TelegramMessageId, TelegramUserId},
    metrics::TelegramMethod,
    service::{Outbound, Service},
    store::outbound_files::FileKind,
};

/// How many queued messages one pass looks at.
const BATCH: u64 = 500;
/// How often the outbox is checked without a wake-up (messages queued by other instances).
const IDLE_CHECK: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Delivers until `shutdown`, oldest first and in order per chat, paced under Telegram's limits
/// (`pacing`). A send in flight is finished before stopping.
pub async fn run(bot: teloxide::Bot, service: Service, shutdown: CancellationToken) {
    let limits = service.limits();
    let mut pacer = Pacer::new(limits.telegram_chat_interval, limits.telegram_per_second);
    let mut backoff = Duration::from_secs(1);
    loop {
        let queued = match service.queued_messages(BATCH).await {
            Ok(queued) => queued,
            Err(error) => {
                tracing::warn!(%error, "reading the outbox failed");
                Vec::new()
            }
        };
        let mut pause = None;
        let mut sent_any = false;
        // Chats that must wait: none of their later messages may overtake the one waiting.
        let mut waiting: HashSet<ChatId> = HashSet::new();
        let mut next_ready: Option<Instant> = None;
        for (id, chat) in &queued {
            if shutdown.is_cancelled() {
                return;
            }
            if waiting.contains(chat) {
                continue;
            }
            if let Some(at) = pacer.chat_ready_at(*chat) {
                waiting.insert(*chat);
                next_ready = Some(next_ready.map_or(at, |n| n.min(at)));
                continue;
            }
            if let Some(at) = pacer.bot_ready_at() {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep_until(at) => {}
                }
            }
            let step = deliver(&bot, &service, *id).await;
            if !matches!(step, Step::Skipped) {
                pacer.sent(*chat);
                sent_any = true;
            }
            match step {
                Step::Done | Step::Skipped => backoff = Duration::from_secs(1),
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
        if pause.is_none() && sent_any {
            continue;
        }
        let wait = pause.unwrap_or_else(|| {
            next_ready.map_or(IDLE_CHECK, |at| {
                at.saturating_duration_since(Instant::now()).min(IDLE_CHECK)
            })
        });
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = service.outbox().woken(), if pause.is_none() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

enum Step {
    Done,
    /// Nothing was sent: another worker has the message.
    Skipped,
    /// Telegram asked for this pause.
    Wait(Duration),
    /// Telegram is unreachable; back off.
    Backoff,
}

async fn deliver(bot: &teloxide::Bot, service: &Service, id: MessageId) -> Step {
    let outbound: Outbound = match service.claim_outbound(id).await {
        Ok(Some(o)) => o,
        Ok(None) => return Step::Skipped,
        Err(error) => {
            tracing::warn!(message.id = %id, %error, "claiming an outbound message failed");
            return Step::Backoff;
        }
    };
    let result = send(bot, &outbound).await;
    let method = match outbound.file.as_ref().map(|file| file.kind) {
        None => TelegramMethod::SendMessage,
        Some(FileKind::Photo) => TelegramMethod::SendPhoto,
        Some(FileKind::Document) => TelegramMethod::SendDocument,
    };
    service.telegram_calls().result(method, &result);
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

/// Sends the message as Telegram's sendMessage, sendPhoto or sendDocument, without parse mode
/// (agent text arrives literally), quoting the customer's message when it replies to one.
async fn send(bot: &teloxide::Bot, outbound: &Outbound) -> Result<Message, RequestError> {
    let chat = teloxide::types::ChatId(outbound.chat_id.0);
    let reply = outbound.reply_to.and_then(|quoted| {
        let id = i32::try_from(quoted.0).ok()?;
        Some(ReplyParameters::new(teloxide::types::MessageId(id)).allow_sending_without_reply())
    });
    let Some(file) = &outbound.file else {
        let mut request = bot.send_message(chat, outbound.text.clone());
        if let Some(markup) = &outbound.reply_markup {
            match serde_json::from_str::<InlineKeyboardMarkup>(markup) {
                Ok(keyboard) => request = request.reply_markup(keyboard),
                Err(error) => {
                    tracing::error!(message.id = %outbound.id, %error, "a stored keyboard does not parse; sending the text alone");
                }
            }
        }
        if let Some(reply) = reply {
            request = request.reply_parameters(reply);
        }
        return request.await;
    };
    let input = InputFile::memory(file.bytes.clone()).file_name(file.name.clone());
    let caption = (!outbound.text.is_empty()).then(|| outbound.text.clone());
    match file.kind {
        FileKind::Photo => {
            let mut request = bot.send_photo(chat, input);
            if let Some(caption) = caption {
                request = request.caption(caption);
            }
            if let Some(reply) = reply {
                request = request.reply_parameters(reply);
            }
            request.await
        }
        FileKind::Document => {
            let mut request = bot.send_document(chat, input);
            if let Some(caption) = caption {
                request = request.caption(caption);
            }
            if let Some(reply) = reply {
                request = request.reply_parameters(reply);
            }
            request.await
        }
    }
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
