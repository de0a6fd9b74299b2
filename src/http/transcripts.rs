//! A ticket's transcript as a download: `GET /api/tickets/{id}/transcript?format=text|json&notes=`.
//! Streamed a page at a time, so a ticket of any length never sits in memory whole.

use axum::{
    Router,
    body::{Body, Bytes},
    extract::{Query, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;

use super::{
    ApiError, AppState,
    extract::{CurrentActor, PathId},
};
use crate::{
    domain::TicketId,
    service::{TranscriptJob, TranscriptOptions},
    transcript,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/tickets/{id}/transcript", get(download))
}

#[derive(Deserialize)]
struct TranscriptQuery {
    format: Option<String>,
    notes: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

async fn download(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
    Query(query): Query<TranscriptQuery>,
) -> Result<Response, ApiError> {
    let format = match query.format.as_deref() {
        None | Some("" | "text") => Format::Text,
        Some("json") => Format::Json,
        Some(other) => {
            return Err(ApiError::Invalid(format!(
                "format must be text or json, not {other:?}"
            )));
        }
    };
    let notes = match query.notes.as_deref() {
        None | Some("" | "false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::Invalid(format!(
                "notes must be true or false, not {other:?}"
            )));
        }
    };
    let job = state
        .service
        .transcript(&actor, id, TranscriptOptions { notes })
        .await?;
    let (content_type, extension) = match format {
        Format::Text => ("text/plain; charset=utf-8", "txt"),
        Format::Json => ("application/json", "json"),
    };
    let disposition = format!(
        "attachment; filename=\"{}\"",
        transcript::file_name(id, extension)
    );
    let body = Body::from_stream(chunks(job, format));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(ApiError::internal)?,
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

/// Where the stream is.
enum Step {
    Header,
    Entries { first: bool },
    Done,
}

/// The transcript as body chunks: the header, then one chunk per batch of entries, read from the
/// store only as the client takes them. A store failure midway ends the body early (logged).
fn chunks(
    job: TranscriptJob,
    format: Format,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send {
    futures_util::stream::unfold((job, Step::Header), move |(mut job, step)| async move {
        match step {
            Step::Header => {
                let chunk = match format {
                    Format::Text => transcript::header_text(&job.header),
                    Format::Json => {
                        let header = serde_json::to_string(&job.header).ok()?;
                        format!("{{\"transcript\":{header},\"entries\":[")
                    }
                };
                Some((Ok(Bytes::from(chunk)), (job, Step::Entries { first: true })))
            }
            Step::Entries { first } => match job.next_batch().await {
                Ok(batch) if batch.is_empty() => {
                    let end = match format {
                        Format::Text => "-- end of transcript --\n",
                        Format::Json => "]}",
                    };
                    Some((Ok(Bytes::from_static(end.as_bytes())), (job, Step::Done)))
                }
                Ok(batch) => {
                    let mut chunk = String::new();
                    let mut first = first;
                    for entry in &batch {
                        match format {
                            Format::Text => chunk.push_str(&transcript::entry_text(entry)),
                            Format::Json => {
                                if !first {
                                    chunk.push(',');
                                }
                                first = false;
                                match serde_json::to_string(entry) {
                                    Ok(json) => chunk.push_str(&json),
                                    Err(error) => {
                                        tracing::error!(%error, "a transcript entry did not serialize");
                                        return Some((
                                            Err(std::io::Error::other(error)),
                                            (job, Step::Done),
                                        ));
                                    }
                                }
                            }
                        }
                    }
                    Some((Ok(Bytes::from(chunk)), (job, Step::Entries { first })))
                }
                Err(error) => {
                    tracing::error!(ticket.id = %job.header.ticket.id, error = ?error, "reading a transcript failed midway");
                    Some((Err(std::io::Error::other(error)), (job, Step::Done)))
                }
            },
            Step::Done => None,
        }
    })
}
