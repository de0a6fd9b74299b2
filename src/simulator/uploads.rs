//! The fake Bot API's uploads (files the bot sends) and limits: multipart bodies parsed as Telegram does,
//! sendPhoto and sendDocument keeping the bytes they received, `reply_parameters`, and
//! Telegram-like rate limits (more than one message a second to a chat, or 30 a second in all,
//! is a 429 with `retry_after`) when a test turns them on.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use axum::{
    body::{Body, Bytes},
    extract::{FromRequest, Multipart},
    http::{Request, header},
    response::Response,
};
use serde_json::{Map, Value, json};

use super::{
    bot_api::{fail, integer, ok},
    state::{BOT_ID, Inner, State},
};

/// Telegram's limit for a caption, in characters.
const MAX_CAPTION: usize = 1024;
/// Messages one chat may get per second, and the bot in all, when limits are on.
const PER_CHAT_PER_SECOND: usize = 1;
const PER_BOT_PER_SECOND: usize = 30;

/// A file part of a multipart request.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
}

/// A file the bot sent: what it was sent as, with what name, caption and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentFile {
    /// `photo` or `document`.
    pub kind: String,
    pub chat_id: i64,
    pub message_id: i64,
    pub file_name: Option<String>,
    pub caption: Option<String>,
    pub bytes: Vec<u8>,
    /// The message it replies to (`reply_parameters.message_id`).
    pub reply_to: Option<i64>,
}

/// Parses a multipart body: text parts become parameters (JSON values where they parse), parts
/// with a file name (or any part that is not UTF-8) become files.
pub(super) async fn multipart(
    content_type: &str,
    body: Bytes,
    params: &mut Map<String, Value>,
) -> Result<HashMap<String, UploadedFile>, String> {
    let request = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .map_err(|e| format!("Bad Request: {e}"))?;
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|e| format!("Bad Request: {}", e.body_text()))?;
    let mut files = HashMap::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| format!("Bad Request: {}", e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| format!("Bad Request: {}", e.body_text()))?
            .to_vec();
        match (file_name, String::from_utf8(bytes)) {
            (None, Ok(text)) => {
                let value = serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text));
                params.insert(name, value);
            }
            (file_name, bytes) => {
                let bytes = bytes.map_or_else(|e| e.into_bytes(), String::into_bytes);
                files.insert(name, UploadedFile { file_name, bytes });
            }
        }
    }
    Ok(files)
}

/// sendPhoto or sendDocument: the file in the part the field names (`attach://<part>`) or in
/// the field's own part; a photo must be an image Telegram can process.
pub(super) fn send_file(
    inner: &Inner,
    params: &Value,
    mut files: HashMap<String, UploadedFile>,
    kind: &str,
) -> Response {
    let Some(chat_id) = params.get("chat_id").and_then(integer) else {
        return fail(400, "Bad Request: chat not found");
    };
    let part = match params.get(kind).and_then(Value::as_str) {
        Some(reference) => reference
            .strip_prefix("attach://")
            .unwrap_or(reference)
            .to_owned(),
        None => kind.to_owned(),
    };
    let Some(file) = files.remove(&part) else {
        return fail(
            400,
            &format!("Bad Request: there is no {kind} in the request"),
        );
    };
    if file.bytes.is_empty() {
        return fail(400, "Bad Request: file must be non-empty");
    }
    if kind == "photo" && !crate::domain::upload::is_photo(&file.bytes) {
        return fail(400, "Bad Request: IMAGE_PROCESS_FAILED");
    }
    let caption = params
        .get("caption")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if caption
        .as_deref()
        .is_some_and(|c| c.chars().count() > MAX_CAPTION)
    {
        return fail(400, "Bad Request: message caption is too long");
    }
    if params.get("parse_mode").is_some() {
        return fail(400, "Bad Request: the fake expects no parse_mode");
    }
    let mut state = inner.state();
    if state.blocked.contains(&chat_id) {
        return fail(403, "Forbidden: bot was blocked by the user");
    }
    let Some(customer) = state.known_chats.get(&chat_id).cloned() else {
        return fail(400, "Bad Request: chat not found");
    };
    let message_id = state.next_message_id;
    state.next_message_id += 1;
    let file_id = format!("out_{kind}_{message_id}");
    let size = file.bytes.len();
    let mut message = json!({
        "message_id": message_id,
        "date": chrono::Utc::now().timestamp(),
        "chat": {"id": chat_id, "type": "private", "first_name": customer.first_name},
        "from": {"id": BOT_ID, "is_bot": true, "first_name": "Switchboard", "username": "switchboard_demo_bot"},
    });
    if chat_id < 0 {
        // A group (a staff chat): Telegram gives groups negative ids and a title.
        message["chat"] = json!({"id": chat_id, "type": "group", "title": customer.first_name});
    }
    if kind == "photo" {
        message["photo"] = json!([{"file_id": file_id, "file_unique_id": file_id, "width": 1, "height": 1, "file_size": size}]);
    } else {
        message["document"] = json!({"file_id": file_id, "file_unique_id": file_id, "file_name": file.file_name, "file_size": size});
    }
    if let Some(caption) = &caption {
        message["caption"] = json!(caption);
    }
    if let Err(description) = quote(&state, chat_id, params, &mut message) {
        return fail(400, description);
    }
    state.sent_files.push(SentFile {
        kind: kind.to_owned(),
        chat_id,
        message_id,
        file_name: file.file_name,
        caption,
        bytes: file.bytes,
        reply_to: message["reply_to_message"]["message_id"].as_i64(),
    });
    state.bot_messages.insert(message_id, message.clone());
    drop(state);
    inner.bot_messages_changed.send_modify(|n| *n += 1);
    ok(message)
}

/// Applies `reply_parameters` (JSON or a JSON string): the quoted message of the same chat goes
/// in `reply_to_message`; an unknown one is refused unless `allow_sending_without_reply`.
pub(super) fn quote(
    state: &State,
    chat_id: i64,
    params: &Value,
    message: &mut Value,
) -> Result<(), &'static str> {
    let reply = match params.get("reply_parameters") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::String(text)) => serde_json::from_str::<Value>(text)
            .map_err(|_| "Bad Request: can't parse reply parameters JSON object")?,
        Some(other) => other.clone(),
    };
    let Some(quoted) = reply.get("message_id").and_then(integer) else {
        return Err("Bad Request: message to be replied not found");
    };
    match state.quotable(chat_id, quoted) {
        Some(original) => message["reply_to_message"] = original,
        None if reply["allow_sending_without_reply"].as_bool() == Some(true) => {}
        None => return Err("Bad Request: message to be replied not found"),
    }
    Ok(())
}

/// With limits on, a send method over Telegram's rates gets the seconds to wait; the send is
/// otherwise counted.
pub(super) fn over_limits(inner: &Inner, method: &str, params: &Value) -> Option<u32> {
    if !matches!(method, "sendmessage" | "sendphoto" | "senddocument") {
        return None;
    }
    let chat_id = params.get("chat_id").and_then(integer)?;
    let mut state = inner.state();
    if !state.rate_limits {
        return None;
    }
    let now = Instant::now();
    let window = Duration::from_secs(1);
    state
        .recent_sends
        .retain(|(at, _)| now.duration_since(*at) < window);
    let to_chat = state
        .recent_sends
        .iter()
        .filter(|(_, chat)| *chat == chat_id)
        .count();
    if to_chat >= PER_CHAT_PER_SECOND || state.recent_sends.len() >= PER_BOT_PER_SECOND {
        state.rate_limited += 1;
        return Some(1);
    }
    state.recent_sends.push_back((now, chat_id));
    None
}
