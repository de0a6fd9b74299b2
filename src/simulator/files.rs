//! Files in the fake Telegram: tests and the demo register what a customer sends, `getFile`
//! names where it is, and `/file/bot<token>/<file_path>` downloads it, as Telegram does. A file
//! past the 20 MB bot download limit is refused by `getFile` ("file is too big").

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use super::{
    bot_api::{fail, ok},
    fake::FakeTelegram,
    state::{Customer, Inner},
};
use crate::domain::{MAX_BOT_DOWNLOAD, UpdateId};

/// A file the fake Telegram holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeFile {
    pub file_id: String,
    pub file_unique_id: String,
    /// Where `getFile` says it is (`photos/file_3.png`).
    pub file_path: String,
    /// Its size as updates and `getFile` give it.
    pub file_size: u64,
    /// What a download returns (empty for a file registered by size alone).
    pub bytes: Bytes,
}

/// A message a customer sent: its update and its Telegram message id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub update_id: UpdateId,
    pub message_id: i64,
}

impl FakeFile {
    /// The file's fields as a message carries them (`file_id`, `file_unique_id`, `file_size`).
    pub fn fields(&self) -> Value {
        json!({
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        })
    }

    /// The fields merged with `extra` (`width`, `mime_type`, ...).
    pub fn with(&self, extra: Value) -> Value {
        let mut fields = self.fields();
        if let (Some(target), Some(extra)) = (fields.as_object_mut(), extra.as_object()) {
            target.extend(extra.clone());
        }
        fields
    }
}

impl FakeTelegram {
    /// Stores `bytes` as a file in folder `folder` (`photos`, `voice`, `documents`...) with this
    /// extension; customers' messages then name it by its ids.
    pub fn register_file(&self, folder: &str, extension: &str, bytes: Vec<u8>) -> FakeFile {
        let size = bytes.len() as u64;
        self.register(folder, extension, Bytes::from(bytes), size)
    }

    /// A file Telegram knows only by its size (too large to hold here): `getFile` refuses one
    /// past the bot download limit.
    pub fn register_file_of_size(&self, folder: &str, extension: &str, size: u64) -> FakeFile {
        self.register(folder, extension, Bytes::new(), size)
    }

    fn register(&self, folder: &str, extension: &str, bytes: Bytes, size: u64) -> FakeFile {
        let mut state = self.inner.state();
        state.next_file += 1;
        let n = state.next_file;
        let file = FakeFile {
            file_id: format!("AgAC-fake-file-{n}-{}", self.token().len()),
            file_unique_id: format!("AQAD{n}"),
            file_path: format!("{folder}/file_{n}.{extension}"),
            file_size: size,
            bytes,
        };
        state.files.insert(file.file_id.clone(), file.clone());
        file
    }

    /// The customer sends a message with these fields (`photo`, `caption`, `reply_to_message`...);
    /// returns its update and message ids.
    pub fn customer_sends(&self, customer: &Customer, fields: Value) -> Sent {
        let update_id = self.push_message(customer, fields);
        let message_id = self
            .update_json(update_id)
            .and_then(|update| update["message"]["message_id"].as_i64())
            .unwrap_or_default();
        Sent {
            update_id,
            message_id,
        }
    }

    /// The customer edits their message `message_id` to have `text` (or, with `caption: true`,
    /// that caption); returns the update id.
    pub fn customer_edits(
        &self,
        customer: &Customer,
        message_id: i64,
        text: &str,
        caption: bool,
    ) -> UpdateId {
        let now = chrono::Utc::now().timestamp();
        let mut message = json!({
            "message_id": message_id,
            "date": now - 1,
            "edit_date": now,
            "chat": {"id": customer.id, "type": "private", "first_name": customer.first_name},
            "from": {"id": customer.id, "is_bot": false, "first_name": customer.first_name},
        });
        message[if caption { "caption" } else { "text" }] = json!(text);
        self.push_raw_update(json!({"edited_message": message}))
    }

    /// The bytes a download of `file_id` returns.
    pub fn file_bytes(&self, file_id: &str) -> Option<Bytes> {
        self.inner
            .state()
            .files
            .get(file_id)
            .map(|file| file.bytes.clone())
    }
}

/// `getFile`: the file's ids, size and path; "file is too big" past the bot download limit.
pub(super) fn get_file(inner: &Inner, params: &Value) -> Response {
    let Some(file_id) = params.get("file_id").and_then(Value::as_str) else {
        return fail(400, "Bad Request: file_id not specified");
    };
    let Some(file) = inner.state().files.get(file_id).cloned() else {
        return fail(400, "Bad Request: invalid file_id");
    };
    if file.file_size > MAX_BOT_DOWNLOAD {
        return fail(400, "Bad Request: file is too big");
    }
    ok(json!({
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": file.file_size,
        "file_path": file.file_path,
    }))
}

/// `GET /file/bot<token>/<file_path>`: the file's bytes.
pub(super) async fn download(
    State(inner): State<Arc<Inner>>,
    Path((bot_token, file_path)): Path<(String, String)>,
) -> Response {
    if bot_token.strip_prefix("bot") != Some(inner.token.as_str()) {
        return fail(401, "Unauthorized");
    }
    let found = inner
        .state()
        .files
        .values()
        .find(|file| file.file_path == file_path && file.file_size <= MAX_BOT_DOWNLOAD)
        .map(|file| file.bytes.clone());
    match found {
        Some(bytes) => {
            ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response()
        }
        None => fail(404, "Not Found"),
    }
}
