//! The customer's commands in Telegram's menu (`setMyCommands`, once for the default language and
//! once per language with templates), and the sender of answers that belong to no ticket.

use std::time::Duration;

use teloxide::{payloads::SetMyCommandsSetters, prelude::Requester, types::BotCommand};
use tokio_util::sync::CancellationToken;

use crate::{
    metrics::TelegramMethod,
    service::{Command, Service},
    texts::{BotTexts, FALLBACK_LANGUAGE},
};

/// How long one Bot API call here may take before it is given up.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// How often registering the commands is tried again while Telegram is unreachable.
const RETRY: Duration = Duration::from_secs(5);

/// The command menu in `language` (its descriptions from the templates).
pub fn menu(texts: &BotTexts, language: &str) -> Vec<BotCommand> {
    Command::MENU
        .iter()
        .map(|(name, text)| BotCommand::new(*name, texts.render(*text, Some(language), &[])))
        .collect()
}

/// Registers the command menu: the fallback language's as the default (no `language_code`) and
/// each other language's under its code. Retries until it succeeds or `shutdown`; a refusal
/// (a bad description from an override file, say) is logged and not retried.
pub async fn register(bot: &teloxide::Bot, service: &Service, shutdown: &CancellationToken) {
    let texts = service.texts();
    for language in texts.languages() {
        let commands = menu(&texts, language);
        loop {
            let mut request = bot.set_my_commands(commands.clone());
            if language != FALLBACK_LANGUAGE {
                request = request.language_code(language.to_owned());
            }
            let result = tokio::select! {
                () = shutdown.cancelled() => return,
                r = tokio::time::timeout(CALL_TIMEOUT, request) => r,
            };
            service
                .telegram_calls()
                .record(TelegramMethod::SetMyCommands, matches!(result, Ok(Ok(_))));
            match result {
                Ok(Ok(_)) => {
                    tracing::info!(language, "bot commands registered");
                    break;
                }
                Ok(Err(
                    error @ (teloxide::RequestError::Network(_) | teloxide::RequestError::Io(_)),
                )) => tracing::warn!(language, %error, "registering bot commands failed; retrying"),
                Ok(Err(error)) => {
                    tracing::error!(language, %error, "Telegram refused the bot commands");
                    break;
                }
                Err(_) => tracing::warn!(language, "registering bot commands timed out; retrying"),
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(RETRY) => {}
            }
        }
    }
}

/// Sends the answers that belong to no ticket (`Service::replies`) until `shutdown`, once each:
/// a failure is logged (they are not kept in the outbox).
pub async fn send_replies(bot: teloxide::Bot, service: Service, shutdown: CancellationToken) {
    loop {
        let reply = tokio::select! {
            () = shutdown.cancelled() => return,
            reply = service.replies().next() => reply,
        };
        let send = bot.send_message(teloxide::types::ChatId(reply.chat.0), reply.text);
        let result = tokio::time::timeout(CALL_TIMEOUT, send).await;
        service
            .telegram_calls()
            .record(TelegramMethod::SendMessage, matches!(result, Ok(Ok(_))));
        match result {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => {
                tracing::warn!(chat.id = %reply.chat, %error, "answering a command failed");
            }
            Err(_) => tracing::warn!(chat.id = %reply.chat, "answering a command timed out"),
        }
    }
}
