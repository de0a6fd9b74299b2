//! Button presses: a customer choosing a department. The press goes to the service; the answer
//! (answerCallbackQuery) and the edit of the question (editMessageText, buttons gone) follow. A
//! Telegram failure here is logged and loses nothing: the choice is committed first.

use teloxide::{
    ApiError, RequestError,
    payloads::AnswerCallbackQuerySetters,
    prelude::Requester,
    types::{CallbackQuery, MaybeInaccessibleMessage},
};

use crate::{
    domain::TelegramUserId,
    service::{Press, ROUTING_QUESTION, RouteOutcome, Service, ServiceError},
};

/// What a customer hears when their request is with an agent already.
pub const WITH_AGENT: &str = "Your request is already with an agent.";
/// What a customer hears when the ticket of the button is closed.
pub const CLOSED: &str = "This request is closed. Write again if you need more help.";
/// What a customer hears when a button no longer works.
pub const UNAVAILABLE: &str = "Sorry, that choice is no longer available.";

/// Handles one press. Only a failure to store the choice is an error (the update is then fetched
/// again); Telegram refusing the answer or the edit is logged.
pub async fn handle(
    bot: &teloxide::Bot,
    service: &Service,
    query: &CallbackQuery,
) -> Result<(), ServiceError> {
    let customer = i64::try_from(query.from.id.0).ok().map(TelegramUserId);
    let press = customer
        .zip(query.data.as_deref())
        .and_then(|(customer, data)| Press::parse(customer, data));
    let Some(press) = press else {
        tracing::warn!(data = ?query.data, "a button press with data we do not understand");
        answer(bot, query, UNAVAILABLE).await;
        return Ok(());
    };
    let outcome = service.route(press).await?;
    tracing::debug!(ticket.id = %press.ticket, ?outcome, "button press handled");
    match outcome {
        RouteOutcome::Routed { label } => {
            answer(bot, query, &format!("{label} will answer you here.")).await;
            if let Some(message) = &query.message {
                edit(bot, message, &format!("{ROUTING_QUESTION} — {label}")).await;
            }
        }
        RouteOutcome::WithAgent => answer(bot, query, WITH_AGENT).await,
        RouteOutcome::Closed => answer(bot, query, CLOSED).await,
        RouteOutcome::Unavailable => answer(bot, query, UNAVAILABLE).await,
    }
    Ok(())
}

async fn answer(bot: &teloxide::Bot, query: &CallbackQuery, text: &str) {
    if let Err(error) = bot.answer_callback_query(query.id.clone()).text(text).await {
        tracing::warn!(%error, "answering a button press failed");
    }
}

async fn edit(bot: &teloxide::Bot, message: &MaybeInaccessibleMessage, text: &str) {
    match bot
        .edit_message_text(message.chat().id, message.id(), text)
        .await
    {
        Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => {}
        Err(error) => tracing::warn!(%error, "showing the customer's choice failed"),
    }
}
