//! The outbox sender: delivers queued outbound messages with sendMessage, sendPhoto or
//! sendDocument, paced under Telegram's limits and in order per chat, honouring Telegram's
//! retry_after, retrying while Telegram is unreachable, and recording permanent failures (a customer
//! who blocked the bot) for the operator to see.

use std::time::Duration;

use futures_util::{StreamExt, stream::FuturesUnordered};

use teloxide::{
    ApiError, RequestError,
    payloads::{SendDocumentSetters, SendMessageSetters, SendPhotoSetters},
    prelude::Requester,
    types::{InlineKeyboardMarkup, InputFile, Message, ReplyParameters},
};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::pacing::{Pacer, Ready};
use crate::{
    domain::{TelegramMessageId, TelegramUserId},
    metrics::TelegramMethod,
    service::{Outbound, SentOutbound, Service},
    store::outbound_files::FileKind,
};

/// The most messages one pass claims (one per chat).
const BATCH: usize = 500;
/// The most sends of a pass in flight at once (each to another chat, over the one client).
const IN_FLIGHT: usize = 16;
/// How often the outbox is checked without a wake-up (messages queued by other instances).
const IDLE_CHECK: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Delivers until `shutdown`, oldest first and in order per chat, paced under Telegram's limits
/// (`pacing`). Each pass claims the next message of many chats in one statement (about a second's
/// worth at the bot's rate), sends them (to different chats, several at once), and records the
/// sent ones in one transaction; what a pass could not try goes back to the queue. Sends in flight
/// are finished before stopping.
pub async fn run(bot: teloxide::Bot, service: Service, shutdown: CancellationToken) {
    let limits = service.limits();
    let mut pacer = Pacer::new(limits.telegram_chat_interval, limits.telegram_per_second);
    let batch = limits.telegram_per_second.clamp(1, BATCH) as u64;
    let mut backoff = Duration::from_secs(1);
    loop {
        let claimed = match service.claim_outbound_batch(batch).await {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::warn!(%error, "claiming from the outbox failed");
                Vec::new()
            }
        };
        let pause = if claimed.is_empty() {
            None
        } else {
            match deliver_batch(&bot, &service, &mut pacer, claimed, &shutdown).await {
                Pass::Stop => return,
                Pass::Done => {
                    backoff = Duration::from_secs(1);
                    continue;
                }
                Pass::Wait(d) => Some(d),
                Pass::Backoff => {
                    let pause = backoff;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    Some(pause)
                }
            }
        };
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = service.outbox().woken(), if pause.is_none() => {}
            () = tokio::time::sleep(pause.unwrap_or(IDLE_CHECK)) => {}
        }
    }
}

/// How a pass over a claimed batch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Done,
    /// Shutting down (what was sent is recorded, the rest released).
    Stop,
    /// Telegram asked for this pause.
    Wait(Duration),
    /// Telegram is unreachable (or the database failed); back off.
    Backoff,
}

impl Pass {
    /// How the pass ends once `next` happened as well: a shutdown wins, then a back-off, then
    /// the longer of two waits Telegram asked for.
    fn then(self, next: Self) -> Self {
        match (self, next) {
            (Self::Stop, _) | (_, Self::Stop) => Self::Stop,
            (Self::Backoff, _) | (_, Self::Backoff) => Self::Backoff,
            (Self::Wait(a), Self::Wait(b)) => Self::Wait(a.max(b)),
            (Self::Wait(a), Self::Done) | (Self::Done, Self::Wait(a)) => Self::Wait(a),
            (Self::Done, Self::Done) => Self::Done,
        }
    }
}

/// Sends a claimed batch (at most one message per chat, so sends to different chats), up to
/// `IN_FLIGHT` at once over the one client, chats that may send soonest first, and records the
/// outcome: the sent ones in one transaction, a refusal at once, and what was not tried back in
/// the queue. A 429, Telegram unreachable or a shutdown starts no further send of the pass; the
/// sends in flight are finished and recorded.
async fn deliver_batch(
    bot: &teloxide::Bot,
    service: &Service,
    pacer: &mut Pacer,
    mut claimed: Vec<Outbound>,
    shutdown: &CancellationToken,
) -> Pass {
    let now = Instant::now();
    claimed.sort_by_key(|o| pacer.chat_ready_at(o.chat_id).unwrap_or(now));
    let mut sent: Vec<SentOutbound> = Vec::with_capacity(claimed.len());
    let mut pass = Pass::Done;
    let mut queue = claimed.into_iter().peekable();
    let mut in_flight = FuturesUnordered::new();
    loop {
        if matches!(pass, Pass::Done) && shutdown.is_cancelled() {
            pass = Pass::Stop;
        }
        let may_start = matches!(pass, Pass::Done) && in_flight.len() < IN_FLIGHT;
        let ready = match queue.peek() {
            Some(next) if may_start => pacer.ready(next.chat_id),
            _ => Ready::AfterAnswer,
        };
        if ready == Ready::Now
            && let Some(outbound) = queue.next()
        {
            pacer.started();
            in_flight.push(async move {
                let result = send(bot, &outbound).await;
                (outbound, result)
            });
            continue;
        }
        if ready == Ready::AfterAnswer && in_flight.is_empty() {
            break;
        }
        let start_at = match ready {
            Ready::At(at) => Some(at),
            Ready::Now | Ready::AfterAnswer => None,
        };
        tokio::select! {
            biased;
            () = shutdown.cancelled(), if matches!(pass, Pass::Done) => pass = Pass::Stop,
            Some((outbound, result)) = in_flight.next(), if !in_flight.is_empty() => {
                pacer.answered(outbound.chat_id);
                if let Some(step) = outcome(service, outbound, result, &mut sent).await {
                    pass = pass.then(step);
                }
            }
            () = sleep_until_some(start_at), if start_at.is_some() => {}
        }
    }
    let untried: Vec<_> = queue.map(|o| o.id).collect();
    if let Err(error) = service.outbound_sent_batch(&sent).await {
        tracing::error!(%error, count = sent.len(), "recording sent messages failed");
        pass = pass.then(Pass::Backoff);
    }
    if let Err(error) = service.release_outbound(untried).await {
        tracing::warn!(%error, "putting untried messages back in the outbox failed");
    }
    pass
}

/// Sleeps until `at` (a start the loop waits for).
async fn sleep_until_some(at: Option<Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}

/// Counts one send's result and notes it: a sent message joins `sent`, a refusal is recorded at
/// once. Returns how the pass must go on when it must not simply continue.
async fn outcome(
    service: &Service,
    outbound: Outbound,
    result: Result<Message, RequestError>,
    sent: &mut Vec<SentOutbound>,
) -> Option<Pass> {
    let method = match outbound.file.as_ref().map(|file| file.kind) {
        None => TelegramMethod::SendMessage,
        Some(FileKind::Photo) => TelegramMethod::SendPhoto,
        Some(FileKind::Document) => TelegramMethod::SendDocument,
    };
    service.telegram_calls().result(method, &result);
    match result {
        Ok(message) => {
            sent.push(SentOutbound {
                id: outbound.id,
                telegram_id: TelegramMessageId(i64::from(message.id.0)),
                had_file: outbound.file.is_some(),
            });
            None
        }
        Err(error) => {
            let (step, recorded) = refused(service, &outbound, error).await;
            if let Err(error) = recorded {
                tracing::error!(message.id = %outbound.id, %error, "recording a delivery outcome failed");
                return Some(Pass::Backoff);
            }
            step
        }
    }
}

/// Records a send Telegram did not take: a retry (returning the pause it calls for) or a failure
/// the operator sees.
async fn refused(
    service: &Service,
    outbound: &Outbound,
    error: RequestError,
) -> (Option<Pass>, Result<(), crate::service::ServiceError>) {
    let id = outbound.id;
    match error {
        RequestError::RetryAfter(seconds) => {
            tracing::warn!(
                message.id = %id,
                seconds = seconds.seconds(),
                "Telegram rate limit; waiting"
            );
            let note = format!("Telegram rate limit; retrying in {} s", seconds.seconds());
            (
                Some(Pass::Wait(seconds.duration())),
                service.retry_outbound(id, &note).await,
            )
        }
        error @ (RequestError::Network(_) | RequestError::Io(_)) => {
            tracing::warn!(message.id = %id, %error, "Telegram unreachable; will retry");
            (
                Some(Pass::Backoff),
                service
                    .retry_outbound(id, "Telegram is unreachable; retrying")
                    .await,
            )
        }
        error => {
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
            (None, recorded)
        }
    }
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
