//! A ticket's transcript: its header (the ticket, its rating) and its entries — messages in both
//! directions, timeline changes and, when asked, the client's `#` notes — merged in time order.
//! Read a page at a time from the store, so a ticket of any length is never held in memory.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Actor, Service, ServiceError, tickets::visible_ticket};
use crate::{
    domain::{ChangeId, ClientId, MessageId, NoteId, TicketId},
    store::{self, paging::Page},
    views::{ChangeView, MessageView, NoteView, RatingView, TicketView},
};

/// Rows read from the store at a time, per kind of entry.
const PAGE: u64 = 200;

/// What a transcript includes.
#[derive(Debug, Clone, Copy, Default)]
pub struct TranscriptOptions {
    /// The client's `#` notes (internal: never for the customer).
    pub notes: bool,
}

/// The start of a transcript.
#[derive(Debug, Clone, Serialize)]
pub struct TranscriptHeader {
    pub ticket: TicketView,
    pub rating: Option<RatingView>,
    pub notes_included: bool,
    pub generated_at: DateTime<Utc>,
}

/// One entry of a transcript, tagged by `entry` in JSON (`message`, `change`, `note`).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "entry", rename_all = "lowercase")]
pub enum TranscriptEntry {
    Message(Box<MessageView>),
    Change(ChangeView),
    Note(NoteView),
}

impl TranscriptEntry {
    /// When it happened; ties put changes first, then messages, then notes.
    fn order(&self) -> (DateTime<Utc>, u8) {
        match self {
            Self::Change(c) => (c.at, 0),
            Self::Message(m) => (m.created_at, 1),
            Self::Note(n) => (n.created_at, 2),
        }
    }
}

/// A transcript being read: its header, and its entries a batch at a time (`next_batch`).
pub struct TranscriptJob {
    db: sea_orm::DatabaseConnection,
    pub header: TranscriptHeader,
    client: ClientId,
    customer_name: String,
    messages: Source<MessageId, MessageView>,
    changes: Source<ChangeId, ChangeView>,
    notes: Source<NoteId, NoteView>,
}

/// One kind of entry: a buffer refilled from the store a page at a time.
struct Source<C, T> {
    buffer: VecDeque<T>,
    after: Option<C>,
    done: bool,
}

impl<C, T> Source<C, T> {
    fn new(done: bool) -> Self {
        Self {
            buffer: VecDeque::new(),
            after: None,
            done,
        }
    }

    fn needs_page(&self) -> bool {
        self.buffer.is_empty() && !self.done
    }
}

impl Service {
    /// The transcript of a ticket the actor may see; notes only when asked (every agent who may
    /// see a ticket may see its client's notes).
    pub async fn transcript(
        &self,
        actor: &Actor,
        id: TicketId,
        options: TranscriptOptions,
    ) -> Result<TranscriptJob, ServiceError> {
        visible_ticket(&self.db, actor, id).await?;
        self.transcript_of(id, options).await
    }

    /// The transcript of any ticket, for Switchboard's own use (the staff chat).
    pub async fn transcript_of(
        &self,
        id: TicketId,
        options: TranscriptOptions,
    ) -> Result<TranscriptJob, ServiceError> {
        let ticket = store::tickets::find(&self.db, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let ticket = store::tickets::view(&self.db, ticket).await?;
        let rating = match store::ratings::for_ticket(&self.db, id).await? {
            Some(row) => Some(store::ratings::view(&self.db, row).await?),
            None => None,
        };
        Ok(TranscriptJob {
            db: self.db.clone(),
            client: ticket.client.id,
            customer_name: ticket.client.name.clone(),
            header: TranscriptHeader {
                ticket,
                rating,
                notes_included: options.notes,
                generated_at: Utc::now(),
            },
            messages: Source::new(false),
            changes: Source::new(false),
            notes: Source::new(!options.notes),
        })
    }
}

impl TranscriptJob {
    /// The next entries in time order (at most a few hundred); empty when all were read.
    pub async fn next_batch(&mut self) -> Result<Vec<TranscriptEntry>, ServiceError> {
        let mut batch = Vec::new();
        while batch.len() < PAGE as usize {
            self.refill().await?;
            let fronts = [
                self.messages.buffer.front().map(|m| (m.created_at, 1u8)),
                self.changes.buffer.front().map(|c| (c.at, 0u8)),
                self.notes.buffer.front().map(|n| (n.created_at, 2u8)),
            ];
            let Some(next) = fronts.iter().flatten().min().copied() else {
                break;
            };
            let entry = match next.1 {
                0 => self.changes.buffer.pop_front().map(TranscriptEntry::Change),
                1 => self
                    .messages
                    .buffer
                    .pop_front()
                    .map(|m| TranscriptEntry::Message(Box::new(m))),
                _ => self.notes.buffer.pop_front().map(TranscriptEntry::Note),
            };
            batch.extend(entry);
        }
        debug_assert!(batch.windows(2).all(|w| w[0].order() <= w[1].order()));
        Ok(batch)
    }

    /// Reads the next page of every kind whose buffer ran empty.
    async fn refill(&mut self) -> Result<(), ServiceError> {
        let ticket = self.header.ticket.id;
        if self.messages.needs_page() {
            let rows = store::messages::after(&self.db, ticket, self.messages.after, PAGE).await?;
            self.messages.done = (rows.len() as u64) < PAGE;
            self.messages.after = rows.last().map(|m| m.id).or(self.messages.after);
            let views = store::messages::views(&self.db, rows, &self.customer_name).await?;
            self.messages.buffer.extend(views);
        }
        if self.changes.needs_page() {
            let page = Page {
                limit: PAGE,
                after: self.changes.after,
            };
            let (rows, next) = store::changes::for_ticket(&self.db, ticket, page).await?;
            self.changes.done = next.is_none();
            self.changes.after = next.or(self.changes.after);
            self.changes
                .buffer
                .extend(store::changes::views(&self.db, rows).await?);
        }
        if self.notes.needs_page() {
            let page = Page {
                limit: PAGE,
                after: self.notes.after,
            };
            let (rows, next) = store::notes::for_client(&self.db, self.client, page).await?;
            self.notes.done = next.is_none();
            self.notes.after = next.or(self.notes.after);
            self.notes
                .buffer
                .extend(store::notes::views(&self.db, rows).await?);
        }
        Ok(())
    }
}

/// How an attempt to post a transcript to the staff chat ended.
#[derive(Debug, Clone, Copy)]
pub enum PostOutcome<'a> {
    Sent,
    /// Try again after this long (Telegram asked to wait, or could not be reached).
    Retry(std::time::Duration, &'a str),
    /// Telegram refused it for good.
    Failed(&'a str),
}

/// The most attempts one transcript gets before it is given up.
pub const MAX_POST_ATTEMPTS: i32 = 20;

impl Service {
    /// Staff-chat transcript jobs due now, oldest first.
    pub async fn due_transcript_posts(&self, limit: u64) -> Result<Vec<i64>, ServiceError> {
        Ok(store::transcript_posts::due(&self.db, Utc::now(), limit).await?)
    }

    /// Claims a due job; None when another worker (or instance) has it.
    pub async fn claim_transcript_post(
        &self,
        id: i64,
    ) -> Result<Option<crate::store::entity::transcript_post::Model>, ServiceError> {
        Ok(store::transcript_posts::claim(&self.db, id, Utc::now()).await?)
    }

    /// Records how an attempt ended; a job retried too often is given up.
    pub async fn transcript_post_done(
        &self,
        job: &crate::store::entity::transcript_post::Model,
        outcome: PostOutcome<'_>,
    ) -> Result<(), ServiceError> {
        let now = Utc::now();
        let (state, error, retry_at) = match outcome {
            PostOutcome::Sent => (store::transcript_posts::SENT, None, now),
            PostOutcome::Failed(why) => (store::transcript_posts::FAILED, Some(why), now),
            PostOutcome::Retry(_, why) if job.attempts >= MAX_POST_ATTEMPTS => {
                (store::transcript_posts::FAILED, Some(why), now)
            }
            PostOutcome::Retry(after, why) => (
                store::transcript_posts::PENDING,
                Some(why),
                now + chrono::TimeDelta::from_std(after).unwrap_or(chrono::TimeDelta::hours(1)),
            ),
        };
        store::transcript_posts::finish(&self.db, job.id, state, error, retry_at, now).await?;
        Ok(())
    }
}
