//! Agents' uploads: `POST /api/tickets/{id}/files`, a multipart form with a `file`, an optional
//! `caption` and an optional `reply_to`; the file is stored and queued for Telegram as a photo or
//! a document.

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, Multipart, State, multipart::Field},
    http::StatusCode,
    routing::post,
};

use super::{
    ApiError, AppState,
    extract::{CurrentActor, PathId},
};
use crate::{
    domain::{MessageId, TicketId},
    service::Upload,
    views::MessageView,
};

/// The most bytes a text field of the form (`caption`, `reply_to`) may have.
const MAX_FIELD_BYTES: usize = 8 * 1024;

pub fn router() -> Router<AppState> {
    // The size limits are settings: the handler counts the file's bytes as they arrive instead.
    Router::new().route(
        "/api/tickets/{id}/files",
        post(upload).layer(DefaultBodyLimit::disable()),
    )
}

async fn upload(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
    mut form: Multipart,
) -> Result<(StatusCode, Json<MessageView>), ApiError> {
    let max = state.service.upload_max();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut caption = String::new();
    let mut reply_to = None;
    while let Some(field) = form.next_field().await.map_err(bad_form)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let name = field.file_name().unwrap_or("file").to_owned();
                let bytes = read(field, max, || {
                    ApiError::TooLarge(format!(
                        "a file may have at most {max} bytes ({:.1} MB)",
                        max as f64 / 1_000_000.0
                    ))
                })
                .await?;
                file = Some((name, bytes));
            }
            "caption" => caption = text(field).await?,
            "reply_to" => {
                let value = text(field).await?;
                let id = value
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| ApiError::Invalid("reply_to must be a message id".to_owned()))?;
                reply_to = Some(MessageId(id));
            }
            _ => {}
        }
    }
    let Some((file_name, bytes)) = file else {
        return Err(ApiError::BadRequest(
            "send the file in a multipart field named \"file\"".to_owned(),
        ));
    };
    let upload = Upload {
        file_name,
        bytes,
        caption,
    };
    let message = state.service.upload(&actor, id, upload, reply_to).await?;
    Ok((StatusCode::CREATED, Json(message)))
}

/// A field's bytes, refused with `over()` as soon as they pass `max`.
async fn read(
    mut field: Field<'_>,
    max: usize,
    over: impl Fn() -> ApiError,
) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(bad_form)? {
        if bytes.len() + chunk.len() > max {
            return Err(over());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

async fn text(field: Field<'_>) -> Result<String, ApiError> {
    let bytes = read(field, MAX_FIELD_BYTES, || {
        ApiError::TooLarge(format!(
            "a form field may have at most {MAX_FIELD_BYTES} bytes"
        ))
    })
    .await?;
    String::from_utf8(bytes)
        .map_err(|_| ApiError::BadRequest("a form field is not UTF-8".to_owned()))
}

fn bad_form(error: axum::extract::multipart::MultipartError) -> ApiError {
    ApiError::BadRequest(format!(
        "the multipart form does not parse: {}",
        error.body_text()
    ))
}
