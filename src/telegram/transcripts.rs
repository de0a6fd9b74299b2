//! Posting closed tickets' transcripts to the staff chat (`SWITCHBOARD_TRANSCRIPT_CHAT_ID`) as
//! text documents. Each post is a durable job queued in the closing transaction: claimed by one
//! instance at a time, retried with backoff while Telegram is unreachable or asks to wait, given
//! up (and logged) when Telegram refuses it for good. The file is written to a temporary file a
//! page at a time and uploaded from there, so no transcript sits in memory whole.

use std::{path::PathBuf, time::Duration};

use teloxide::{RequestError, payloads::SendDocumentSetters, prelude::Requester, types::InputFile};
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;

use crate::{
    service::{PostOutcome, Service, TranscriptOptions},
    store::entity::transcript_post,
    transcript,
};

/// How often due jobs are looked for without a wake-up (other instances' closes, retries).
const IDLE_CHECK: Duration = Duration::from_secs(2);
/// The largest document posted (Telegram takes up to 50 MB from bots); a longer transcript is
/// cut there with a note.
pub const MAX_DOCUMENT_BYTES: u64 = 45 * 1024 * 1024;
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Posts due transcripts until `shutdown`; does nothing when no staff chat is set.
pub async fn run(bot: teloxide::Bot, service: Service, shutdown: CancellationToken) {
    if service.transcript_chat().is_none() {
        return;
    }
    loop {
        let due = match service.due_transcript_posts(20).await {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!(%error, "reading the transcript jobs failed");
                Vec::new()
            }
        };
        for id in due {
            if shutdown.is_cancelled() {
                return;
            }
            match service.claim_transcript_post(id).await {
                Ok(Some(job)) => post(&bot, &service, &job).await,
                Ok(None) => {}
                Err(error) => tracing::warn!(%error, "claiming a transcript job failed"),
            }
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = service.transcript_queued() => {}
            () = tokio::time::sleep(IDLE_CHECK) => {}
        }
    }
}

async fn post(bot: &teloxide::Bot, service: &Service, job: &transcript_post::Model) {
    let backoff = backoff(job.attempts);
    let path = match write_file(service, job).await {
        Ok(path) => path,
        Err(error) => {
            tracing::warn!(ticket.id = %job.ticket_id, error = ?error, "writing a transcript failed; will retry");
            let outcome = PostOutcome::Retry(backoff, "the transcript could not be written");
            record(service, job, outcome).await;
            return;
        }
    };
    let number = job.ticket_id.to_string();
    let caption = format!("Transcript of ticket #{number}");
    let file = InputFile::file(path.clone()).file_name(transcript::file_name(job.ticket_id, "txt"));
    let sent = bot
        .send_document(teloxide::types::ChatId(job.chat_id.0), file)
        .caption(caption)
        .await;
    service
        .telegram_calls()
        .result(crate::metrics::TelegramMethod::SendDocument, &sent);
    if let Err(error) = tokio::fs::remove_file(&path).await {
        tracing::warn!(%error, path = %path.display(), "removing a transcript file failed");
    }
    let reason;
    let outcome = match &sent {
        Ok(_) => {
            tracing::info!(ticket.id = %job.ticket_id, chat.id = %job.chat_id, "transcript posted to the staff chat");
            PostOutcome::Sent
        }
        Err(RequestError::RetryAfter(seconds)) => {
            reason = format!("Telegram rate limit; retrying in {} s", seconds.seconds());
            PostOutcome::Retry(seconds.duration(), &reason)
        }
        Err(error @ (RequestError::Network(_) | RequestError::Io(_))) => {
            tracing::warn!(ticket.id = %job.ticket_id, %error, "Telegram unreachable; the transcript will be retried");
            PostOutcome::Retry(backoff, "Telegram is unreachable")
        }
        Err(RequestError::Api(error)) => {
            reason = format!("Telegram refused the transcript: {error}");
            tracing::error!(ticket.id = %job.ticket_id, chat.id = %job.chat_id, %error, "the staff chat refused a transcript");
            PostOutcome::Failed(&reason)
        }
        Err(error) => {
            reason = format!("Telegram error: {error}");
            tracing::warn!(ticket.id = %job.ticket_id, %error, "posting a transcript failed; will retry");
            PostOutcome::Retry(backoff, &reason)
        }
    };
    record(service, job, outcome).await;
}

async fn record(service: &Service, job: &transcript_post::Model, outcome: PostOutcome<'_>) {
    if let Err(error) = service.transcript_post_done(job, outcome).await {
        // The claim runs out and the job is tried again.
        tracing::error!(ticket.id = %job.ticket_id, %error, "recording a transcript post failed");
    }
}

/// The pause before attempt `attempts + 1`: 2 s doubling, at most 5 minutes.
fn backoff(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 10)).unwrap_or(1);
    (Duration::from_secs(1) * 2u32.pow(exponent)).min(MAX_BACKOFF)
}

/// Writes the ticket's text transcript (without internal notes) to a new temporary file.
async fn write_file(service: &Service, job: &transcript_post::Model) -> anyhow::Result<PathBuf> {
    let path = std::env::temp_dir().join(format!(
        "switchboard-transcript-{}-{}-{}.txt",
        std::process::id(),
        job.id,
        job.attempts
    ));
    let mut reader = service
        .transcript_of(job.ticket_id, TranscriptOptions { notes: false })
        .await?;
    let mut file = tokio::fs::File::create(&path).await?;
    let header = transcript::header_text(&reader.header);
    let mut written = header.len() as u64;
    file.write_all(header.as_bytes()).await?;
    loop {
        let batch = reader.next_batch().await?;
        if batch.is_empty() {
            file.write_all(b"-- end of transcript --\n").await?;
            break;
        }
        let chunk: String = batch.iter().map(transcript::entry_text).collect();
        if written + chunk.len() as u64 > MAX_DOCUMENT_BYTES {
            file.write_all(
                b"-- the transcript is cut here: download it whole from the console --\n",
            )
            .await?;
            break;
        }
        written += chunk.len() as u64;
        file.write_all(chunk.as_bytes()).await?;
    }
    file.flush().await?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_up_to_five_minutes() {
        assert_eq!(backoff(1), Duration::from_secs(2));
        assert_eq!(backoff(3), Duration::from_secs(8));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }
}
