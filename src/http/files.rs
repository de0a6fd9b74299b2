//! `GET /api/messages/{id}/file`: a customer's file, fetched from Telegram (through the disk
//! cache) and streamed to the console with headers that keep the browser from running it.

use axum::{
    Router,
    body::Body,
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use tokio_util::io::ReaderStream;

use super::{
    ApiError, AppState,
    extract::{CurrentActor, PathId},
};
use crate::{
    domain::{MediaKind, MessageId, served_type},
    telegram::files::FileError,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/messages/{id}/file", get(file))
}

/// The file of a message the agent may see. Images, audio and video the browser can show are
/// served inline; documents (and every type a browser would render as a page or run) as an
/// attachment, the risky ones as `application/octet-stream`; always with `nosniff`.
async fn file(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<MessageId>,
) -> Result<Response, ApiError> {
    let file = state.service.message_file(&actor, id).await?;
    let (opened, length) = state.files.open(&file).await.map_err(|error| match error {
        FileError::TooLarge { size } => ApiError::FileTooLarge(size.or(file.media.file_size)),
        FileError::Refused(reason) => ApiError::FileUnavailable(format!(
            "Telegram did not give the file ({reason}); it may have expired"
        )),
        FileError::Unreachable(reason) => {
            ApiError::FileUnavailable(format!("Telegram could not be reached: {reason}"))
        }
        FileError::Disk(error) => ApiError::internal(error),
    })?;
    let (content_type, inline) = served_type(file.media.mime_type.as_deref(), file.media.kind);
    let name = download_name(&file.media.file_name, file.media.kind, id);
    let disposition = format!(
        "{}; filename=\"{}\"",
        if inline { "inline" } else { "attachment" },
        name
    );
    let mut response = Body::from_stream(ReaderStream::new(opened)).into_response();
    let headers = response.headers_mut();
    let value = |v: &str| {
        HeaderValue::from_str(v)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
    };
    headers.insert(header::CONTENT_TYPE, value(&content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition)
            .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(response)
}

/// A file name safe in a header: the customer's name kept to plain characters, or one made up
/// from the kind and message id.
fn download_name(name: &Option<String>, kind: Option<MediaKind>, id: MessageId) -> String {
    let kept: String = name
        .as_deref()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
        .take(100)
        .collect();
    let kept = kept.trim().trim_start_matches('.').to_owned();
    if !kept.is_empty() {
        return kept;
    }
    let kind = kind
        .and_then(|k| serde_json::to_value(k).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "file".to_owned());
    format!("{kind}-{id}")
}
