//! Button presses: a customer choosing a department, or rating a closed ticket (answered in their
//! language). The press goes to the service; the answer
//! (answerCallbackQuery) and the edit of the question (editMessageText, buttons gone) follow. A
//! Telegram failure here is logged and loses nothing: the choice is committed first.

use teloxide::{
    ApiError, RequestError,
    payloads::AnswerCallbackQuerySetters,
    prelude::Requester,
    types::{CallbackQuery, MaybeInaccessibleMessage},
};

use crate::{
    domain::{RatePress, TelegramUserId},
    metrics::TelegramMethod,
    service::{Press, RateOutcome, RouteOutcome, Service, ServiceError},
    texts::Text,
};

/// Handles one press. Only a failure to store the choice is an error (the update is then fetched
/// again); Telegram refusing the answer or the edit is logged.
pub async fn handle(
    bot: &teloxide::Bot,
    service: &Service,
    query: &CallbackQuery,
) -> Result<(), ServiceError> {
    let customer = i64::try_from(query.from.id.0).ok().map(TelegramUserId);
    if let Some(press) = customer
        .zip(query.data.as_deref())
        .and_then(|(customer, data)| RatePress::parse(customer, data))
    {
        return rate(bot, service, query, &press).await;
    }
    let press = customer
        .zip(query.data.as_deref())
        .and_then(|(customer, data)| Press::parse(customer, data));
    let texts = service.texts();
    let language = query.from.language_code.as_deref();
    let say = |text: Text| texts.render(text, language, &[]);
    let Some(press) = press else {
        tracing::warn!(data = ?query.data, "a button press with data we do not understand");
        answer(bot, service, query, &say(Text::Unavailable)).await;
        return Ok(());
    };
    let outcome = service.route(press).await?;
    tracing::debug!(ticket.id = %press.ticket, ?outcome, "button press handled");
    match outcome {
        RouteOutcome::Routed { label } => {
            let routed = texts.render(Text::Routed, language, &[("department", &label)]);
            answer(bot, service, query, &routed).await;
            if let Some(message) = &query.message {
                let question = say(Text::RoutingQuestion);
                edit(bot, service, message, &format!("{question} — {label}")).await;
            }
        }
        RouteOutcome::WithAgent => answer(bot, service, query, &say(Text::WithAgent)).await,
        RouteOutcome::Closed => answer(bot, service, query, &say(Text::ButtonClosed)).await,
        RouteOutcome::Unavailable => answer(bot, service, query, &say(Text::Unavailable)).await,
    }
    Ok(())
}

/// A star press: stored first, then answered, and the question edited to show the choice.
async fn rate(
    bot: &teloxide::Bot,
    service: &Service,
    query: &CallbackQuery,
    press: &RatePress,
) -> Result<(), ServiceError> {
    let texts = service.texts();
    let language = query.from.language_code.as_deref();
    let outcome = service.rate(press).await?;
    tracing::debug!(ticket.id = %press.ticket, ?outcome, "star press handled");
    match outcome {
        RateOutcome::Rated { ticket, stars } => {
            let symbols = stars.symbols();
            let number = ticket.to_string();
            let chosen = texts.render(
                Text::RatingChosen,
                language,
                &[("number", &number), ("stars", &symbols)],
            );
            answer(bot, service, query, &chosen).await;
            if let Some(message) = &query.message {
                edit(bot, service, message, &chosen).await;
            }
        }
        RateOutcome::AlreadyRated { stars } => {
            let symbols = stars.symbols();
            let already = texts.render(Text::RatingAlready, language, &[("stars", &symbols)]);
            answer(bot, service, query, &already).await;
        }
        RateOutcome::Unavailable => {
            answer(
                bot,
                service,
                query,
                &texts.render(Text::Unavailable, language, &[]),
            )
            .await;
        }
    }
    Ok(())
}

async fn answer(bot: &teloxide::Bot, service: &Service, query: &CallbackQuery, text: &str) {
    let result = bot.answer_callback_query(query.id.clone()).text(text).await;
    service
        .telegram_calls()
        .result(TelegramMethod::AnswerCallbackQuery, &result);
    if let Err(error) = result {
        tracing::warn!(%error, "answering a button press failed");
    }
}

async fn edit(
    bot: &teloxide::Bot,
    service: &Service,
    message: &MaybeInaccessibleMessage,
    text: &str,
) {
    let result = bot
        .edit_message_text(message.chat().id, message.id(), text)
        .await;
    service.telegram_calls().record(
        TelegramMethod::EditMessageText,
        matches!(
            result,
            Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified))
        ),
    );
    match result {
        Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => {}
        Err(error) => tracing::warn!(%error, "showing the customer's choice failed"),
    }
}
