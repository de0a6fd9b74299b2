//! The fake Bot API's HTTP side: `/bot<token>/<method>` with JSON, form or query parameters.

use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::any,
};
use serde_json::{Map, Value, json};

use super::{
    state::{BOT_ID, Call, Failure, Inner},
    uploads::UploadedFile,
    webhook,
};

/// Telegram's limit for one text message, in characters.
const MAX_TEXT: usize = 4096;

pub(super) fn router(inner: Arc<Inner>) -> Router {
    Router::new()
        .route("/{bot_token}/{method}", any(call))
        .route(
            "/file/{bot_token}/{*file_path}",
            axum::routing::get(super::files::download),
        )
        .with_state(inner)
}

pub(super) fn ok(result: Value) -> Response {
    Json(json!({"ok": true, "result": result})).into_response()
}

pub(super) fn fail(code: u16, description: &str) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (
        status,
        Json(json!({"ok": false, "error_code": code, "description": description})),
    )
        .into_response()
}

/// An answer whose body breaks off at once: the status line and headers go out, then the
/// connection is cut, so the client sees a dropped connection, not an answer.
fn dropped() -> Response {
    let broken = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "the fake Bot API dropped the connection",
        ))
    });
    let mut response = Response::new(axum::body::Body::from_stream(broken));
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    response
}

pub(super) fn retry_after(seconds: u32) -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({
            "ok": false,
            "error_code": 429,
            "description": format!("Too Many Requests: retry after {seconds}"),
            "parameters": {"retry_after": seconds},
        })),
    )
        .into_response()
}

async fn call(
    State(inner): State<Arc<Inner>>,
    Path((bot_token, method)): Path<(String, String)>,
    Query(query): Query<Map<String, Value>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(token) = bot_token.strip_prefix("bot") else {
        return fail(404, "Not Found");
    };
    if token != inner.token {
        return fail(401, "Unauthorized");
    }
    let method = method.to_lowercase();
    let (params, files) = match parameters(&headers, body, query).await {
        Ok(p) => p,
        Err(description) => return fail(400, &description),
    };
    let call = Call {
        method: method.clone(),
        body: params.clone(),
    };
    let failure = {
        let mut state = inner.state();
        state.calls.push(call.clone());
        state
            .failures
            .get_mut(&method)
            .and_then(|queue| queue.pop_front())
    };
    let _ = inner.calls.send(call);
    if let Some(seconds) = super::uploads::over_limits(&inner, &method, &params) {
        return retry_after(seconds);
    }
    match failure {
        Some(Failure::RetryAfter(seconds)) => return retry_after(seconds),
        Some(Failure::BadRequest(description)) => return fail(400, &description),
        Some(Failure::Slow(delay)) => tokio::time::sleep(delay).await,
        Some(Failure::Dropped) => return dropped(),
        None => {}
    }
    match method.as_str() {
        "getme" => ok(json!({
            "id": BOT_ID, "is_bot": true, "first_name": "Switchboard", "username": "switchboard_demo_bot",
            "can_join_groups": false, "can_read_all_group_messages": false, "supports_inline_queries": false,
            "can_connect_to_business": false, "has_main_web_app": false,
        })),
        "getwebhookinfo" => webhook::webhook_info(&inner),
        "setwebhook" => webhook::set_webhook(&inner, &params),
        "deletewebhook" => webhook::delete_webhook(&inner, &params),
        "sendchataction" => send_chat_action(&inner, &params),
        "getupdates" => get_updates(&inner, &params).await,
        "sendmessage" => send_message(&inner, &params),
        "sendphoto" => super::uploads::send_file(&inner, &params, files, "photo"),
        "senddocument" => super::uploads::send_file(&inner, &params, files, "document"),
        "editmessagetext" => edit_message_text(&inner, &params),
        "answercallbackquery" => answer_callback_query(&inner, &params),
        "setmycommands" => super::commands::set_my_commands(&inner, &params),
        "getmycommands" => super::commands::get_my_commands(&inner, &params),
        "getfile" => super::files::get_file(&inner, &params),
        _ => fail(404, "Not Found"),
    }
}

/// Parameters from a JSON body, a form body, a multipart body or the query string, as Telegram
/// accepts them, and the files a multipart body carries (by part name).
async fn parameters(
    headers: &HeaderMap,
    body: Bytes,
    query: Map<String, Value>,
) -> Result<(Value, HashMap<String, UploadedFile>), String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let mut params = query;
    let mut files = HashMap::new();
    if body.is_empty() {
        return Ok((Value::Object(params), files));
    }
    if content_type.starts_with("application/json") {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(map)) => params.extend(map),
            Ok(_) => return Err("Bad Request: parameters must be a JSON object".to_owned()),
            Err(_) => return Err("Bad Request: can't parse JSON".to_owned()),
        }
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        for (key, value) in url::form_urlencoded::parse(&body) {
            let value =
                serde_json::from_str::<Value>(&value).unwrap_or(Value::String(value.into_owned()));
            params.insert(key.into_owned(), value);
        }
    } else if content_type.starts_with("multipart/form-data") {
        files = super::uploads::multipart(&content_type, body, &mut params).await?;
    } else {
        return Err(format!(
            "Bad Request: unsupported content type {content_type:?}"
        ));
    }
    Ok((Value::Object(params), files))
}

pub(super) fn integer(value: &Value) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

async fn get_updates(inner: &Inner, params: &Value) -> Response {
    let offset = params.get("offset").and_then(integer).unwrap_or(0);
    let limit = params
        .get("limit")
        .and_then(integer)
        .unwrap_or(100)
        .clamp(1, 100) as usize;
    let timeout = params
        .get("timeout")
        .and_then(integer)
        .unwrap_or(0)
        .clamp(0, 50) as u64;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    let generation = {
        let mut state = inner.state();
        if state.webhook.is_some() {
            return fail(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            );
        }
        state.poll_generation += 1;
        state.poll_generation
    };
    // Wake an older request still waiting: Telegram ends it with 409.
    inner.new_update.notify_waiters();
    loop {
        let notified = inner.new_update.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut state = inner.state();
            if state.poll_generation != generation {
                state.conflicts += 1;
                return fail(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                );
            }
            if offset > 0 {
                // An offset confirms every update before it: Telegram forgets them.
                state
                    .updates
                    .retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
                state.confirmed_offset = state.confirmed_offset.max(offset);
                inner.confirmed.send_if_modified(|highest| {
                    let newer = offset > *highest;
                    *highest = (*highest).max(offset);
                    newer
                });
            }
            let mut ready: Vec<Value> = state.redeliveries.drain(..).collect();
            ready.extend(
                state
                    .updates
                    .iter()
                    .filter(|u| u["update_id"].as_i64().unwrap_or(0) >= offset)
                    .take(limit.saturating_sub(ready.len()))
                    .cloned(),
            );
            if let Some(last) = ready.last().and_then(|u| u["update_id"].as_i64()) {
                inner.handed_out.send_if_modified(|highest| {
                    let newer = last > *highest;
                    *highest = (*highest).max(last);
                    newer
                });
                return ok(Value::Array(ready));
            }
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return ok(json!([]));
        }
    }
}

/// The actions Telegram's sendChatAction knows.
const CHAT_ACTIONS: &[&str] = &[
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
];

/// sendChatAction: `chat_id` of a known chat and a known `action`; answers true. The call is
/// recorded like every other, so tests see it.
fn send_chat_action(inner: &Inner, params: &Value) -> Response {
    let Some(chat_id) = params.get("chat_id").and_then(integer) else {
        return fail(400, "Bad Request: chat not found");
    };
    let action = params.get("action").and_then(Value::as_str).unwrap_or("");
    if action.is_empty() {
        return fail(400, "Bad Request: action is empty");
    }
    if !CHAT_ACTIONS.contains(&action) {
        return fail(400, "Bad Request: wrong parameter action in request");
    }
    let state = inner.state();
    if state.blocked.contains(&chat_id) {
        return fail(403, "Forbidden: bot was blocked by the user");
    }
    if !state.known_chats.contains_key(&chat_id) {
        return fail(400, "Bad Request: chat not found");
    }
    ok(json!(true))
}

fn send_message(inner: &Inner, params: &Value) -> Response {
    let Some(chat_id) = params.get("chat_id").and_then(integer) else {
        return fail(400, "Bad Request: chat not found");
    };
    let text = params.get("text").and_then(Value::as_str).unwrap_or("");
    if text.trim().is_empty() {
        return fail(400, "Bad Request: message text is empty");
    }
    if text.chars().count() > MAX_TEXT {
        return fail(400, "Bad Request: message is too long");
    }
    let mut state = inner.state();
    if state.blocked.contains(&chat_id) {
        return fail(403, "Forbidden: bot was blocked by the user");
    }
    let Some(customer) = state.known_chats.get(&chat_id).cloned() else {
        return fail(400, "Bad Request: chat not found");
    };
    let keyboard = match params.get("reply_markup") {
        None | Some(Value::Null) => None,
        Some(markup) => match inline_keyboard(markup) {
            Ok(keyboard) => Some(keyboard),
            Err(description) => return fail(400, description),
        },
    };
    let message_id = state.next_message_id;
    state.next_message_id += 1;
    let mut message = json!({
        "message_id": message_id,
        "date": chrono::Utc::now().timestamp(),
        "chat": {"id": chat_id, "type": "private", "first_name": customer.first_name},
        "from": {"id": BOT_ID, "is_bot": true, "first_name": "Switchboard", "username": "switchboard_demo_bot"},
        "text": text,
    });
    if let Some(keyboard) = keyboard {
        message["reply_markup"] = keyboard;
    }
    if let Err(description) = super::uploads::quote(&state, chat_id, params, &mut message) {
        return fail(400, description);
    }
    state.bot_messages.insert(message_id, message.clone());
    drop(state);
    inner.bot_messages_changed.send_modify(|n| *n += 1);
    ok(message)
}

/// An `InlineKeyboardMarkup` (given as JSON or as a JSON string, as Telegram accepts both), with
/// Telegram's checks: rows of buttons with a text and 1 to 64 bytes of callback data.
pub(super) fn inline_keyboard(markup: &Value) -> Result<Value, &'static str> {
    let markup = match markup {
        Value::String(text) => serde_json::from_str(text)
            .map_err(|_| "Bad Request: can't parse reply keyboard markup JSON object")?,
        other => other.clone(),
    };
    let rows = markup["inline_keyboard"].as_array().ok_or(
        "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object",
    )?;
    for button in rows.iter().flat_map(|r| r.as_array().into_iter().flatten()) {
        if button["text"].as_str().is_none_or(|t| t.trim().is_empty()) {
            return Err("Bad Request: BUTTON_TEXT_INVALID");
        }
        if let Some(data) = button.get("callback_data")
            && data.as_str().is_none_or(|d| d.is_empty() || d.len() > 64)
        {
            return Err("Bad Request: BUTTON_DATA_INVALID");
        }
    }
    Ok(json!({"inline_keyboard": rows}))
}

fn edit_message_text(inner: &Inner, params: &Value) -> Response {
    let chat_id = params.get("chat_id").and_then(integer);
    let message_id = params.get("message_id").and_then(integer);
    let text = params.get("text").and_then(Value::as_str).unwrap_or("");
    if text.trim().is_empty() {
        return fail(400, "Bad Request: message text is empty");
    }
    let mut state = inner.state();
    let Some(message) = message_id.and_then(|id| state.bot_messages.get_mut(&id)) else {
        return fail(400, "Bad Request: message to edit not found");
    };
    if message["chat"]["id"].as_i64() != chat_id {
        return fail(400, "Bad Request: message to edit not found");
    }
    let keyboard = match params.get("reply_markup") {
        None | Some(Value::Null) => None,
        Some(markup) => match inline_keyboard(markup) {
            Ok(keyboard) => Some(keyboard),
            Err(description) => return fail(400, description),
        },
    };
    if message["text"].as_str() == Some(text) && message.get("reply_markup") == keyboard.as_ref() {
        return fail(
            400,
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        );
    }
    message["text"] = json!(text);
    message["edit_date"] = json!(chrono::Utc::now().timestamp());
    match keyboard {
        Some(keyboard) => message["reply_markup"] = keyboard,
        None => {
            if let Some(fields) = message.as_object_mut() {
                fields.remove("reply_markup");
            }
        }
    }
    let edited = message.clone();
    drop(state);
    inner.bot_messages_changed.send_modify(|n| *n += 1);
    ok(edited)
}

fn answer_callback_query(inner: &Inner, params: &Value) -> Response {
    let id = params
        .get("callback_query_id")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !inner.state().open_queries.remove(id) {
        return fail(
            400,
            "Bad Request: query is too old and response timeout expired or query ID is invalid",
        );
    }
    ok(json!(true))
}
