//! The use-cases both front doors share: ingest a customer's message, accept, reply, log in, and
//! the delivery bookkeeping of the outbox. Each runs in one transaction and writes its events as
//! the transaction's last statements (`Service::commit`); the hub's tailer publishes them.

mod accounts;
mod admin;
mod agents;
mod audit;
mod auth;
mod board;
mod bot_texts;
mod breaches;
mod canned;
mod customer;
mod dead_letters;
mod delivery;
mod departments;
mod edits;
mod error;
mod files;
mod ingest;
mod ingest_batch;
mod lifecycle;
mod notes;
mod outbound;
mod password;
mod presence;
mod priorities;
mod ratings;
mod reading;
mod reassign;
mod reports;
mod resume;
mod routing;
mod settings;
mod takeover;
mod tickets;
mod timers;
mod transcripts;

use std::sync::Arc;

use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr};
use tokio::sync::{Notify, Semaphore};

pub use admin::NewAgentInput;
pub use agents::{AgentChanges, NewAgent};
pub use auth::{Actor, hash_password, instance_name};
pub use bot_texts::LiveTexts;
pub use breaches::BREACH_BATCH;
pub use canned::{CannedChanges, CannedInput};
pub use customer::{Command, DirectReplies, DirectReply};
pub use delivery::{Outbound, OutboundFile, SentOutbound};
pub use departments::{DepartmentChanges, DepartmentInput};
pub use edits::IncomingEdit;
pub use error::ServiceError;
pub use files::FileRef;
pub use ingest::{IncomingMessage, IngestOutcome};
pub use outbound::Upload;
pub use presence::PresenceWrite;
pub use ratings::{RateOutcome, RatingQuery};
pub use reassign::{ReassignInput, customer_notice};
pub use reports::{AgentFigures, DayFigures, DepartmentFigures, Figures, Report};
pub use resume::{BACKLOG_LIMIT, Resume};
pub use routing::{Press, ROUTING_QUESTION, RouteOutcome};
pub use timers::{TimerChanges, TimersRun};
pub use transcripts::{
    MAX_POST_ATTEMPTS, PostOutcome, TranscriptEntry, TranscriptHeader, TranscriptJob,
    TranscriptOptions,
};

use crate::{
    domain::{DepartmentId, Invariant, TicketId},
    hub::{Event, Hub},
    limits::Limits,
    store::{self, entity::message, events::NewEvent},
    views::{ChangeView, MessageView, TicketView},
};

/// Wakes the outbox sender when an outbound message was committed.
#[derive(Clone, Default)]
pub struct OutboxSignal(Arc<Notify>);

impl OutboxSignal {
    /// Tells the sender there is work.
    pub fn wake(&self) {
        self.0.notify_one();
    }

    /// Waits until woken.
    pub async fn woken(&self) {
        self.0.notified().await;
    }
}

/// The use-cases, with what they need. Cheap to clone.
#[derive(Clone)]
pub struct Service {
    db: DatabaseConnection,
    hub: Hub,
    outbox: OutboxSignal,
    default_department: DepartmentId,
    /// How long after a close a customer's message reopens the ticket.
    reopen_window: chrono::TimeDelta,
    /// Login throttles and the session lifetime.
    limits: Arc<Limits>,
    /// Password checks running at once (argon2 takes ~19 MiB each).
    password_checks: Arc<Semaphore>,
    /// Working memory for those checks, reused.
    password_memory: password::PasswordMemory,
    /// The bot's texts per language, with the console's overrides.
    texts: Arc<LiveTexts>,
    /// Answers to commands that belong to no ticket, for the Telegram front door to send.
    replies: DirectReplies,
    /// Where timers, business hours and ticket changes read the time.
    clock: crate::clock::Clock,
    /// What follows a close: the rating question, the transcript for the staff chat.
    followups: Followups,
    /// Telegram calls and failures by method (`/metrics`).
    telegram_calls: Arc<crate::metrics::TelegramCalls>,
}

/// What follows a close (`SWITCHBOARD_RATINGS`, `SWITCHBOARD_TRANSCRIPT_CHAT_ID`).
#[derive(Clone)]
struct Followups {
    ratings: bool,
    transcript_chat: Option<crate::domain::ChatId>,
    /// Wakes the transcript poster when a close queued one.
    transcripts_queued: Arc<Notify>,
}

impl Service {
    pub fn new(
        db: DatabaseConnection,
        hub: Hub,
        outbox: OutboxSignal,
        default_department: DepartmentId,
    ) -> Self {
        Self {
            db,
            hub,
            outbox,
            default_department,
            reopen_window: chrono::TimeDelta::days(7),
            limits: Arc::new(Limits::default()),
            password_checks: Arc::new(Semaphore::new(Limits::default().login_concurrency)),
            password_memory: password::PasswordMemory::default(),
            texts: Arc::new(LiveTexts::new(crate::texts::BotTexts::default())),
            replies: DirectReplies::default(),
            clock: crate::clock::Clock::system(),
            followups: Followups {
                ratings: true,
                transcript_chat: None,
                transcripts_queued: Arc::new(Notify::new()),
            },
            telegram_calls: Arc::default(),
        }
    }

    /// The same service reading time from `clock` (tests move an adjustable one).
    pub fn with_clock(mut self, clock: crate::clock::Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The clock this service reads.
    pub fn clock(&self) -> &crate::clock::Clock {
        &self.clock
    }

    /// The same service asking (or not) for ratings after a close, and posting closed tickets'
    /// transcripts to `transcript_chat` when set.
    pub fn with_close_followups(
        mut self,
        ratings: bool,
        transcript_chat: Option<crate::domain::ChatId>,
    ) -> Self {
        self.followups.ratings = ratings;
        self.followups.transcript_chat = transcript_chat;
        self
    }

    /// The staff chat closed tickets' transcripts go to, when set.
    pub fn transcript_chat(&self) -> Option<crate::domain::ChatId> {
        self.followups.transcript_chat
    }

    /// Waits until a close queued a transcript on this instance.
    pub async fn transcript_queued(&self) {
        self.followups.transcripts_queued.notified().await;
    }

    /// The same service with other bot texts (`SWITCHBOARD_BOT_TEXTS`).
    pub fn with_texts(mut self, texts: crate::texts::BotTexts) -> Self {
        self.texts = Arc::new(LiveTexts::new(texts));
        self
    }

    /// The bot's texts per language in force now.
    pub fn texts(&self) -> Arc<crate::texts::BotTexts> {
        self.texts.current()
    }

    /// Answers to commands that belong to no ticket, waiting to be sent.
    pub fn replies(&self) -> &DirectReplies {
        &self.replies
    }

    /// The same service with other limits (login throttles, session lifetime).
    pub fn with_limits(mut self, limits: &Limits) -> Self {
        self.password_checks = Arc::new(Semaphore::new(limits.login_concurrency));
        self.limits = Arc::new(limits.clone());
        self
    }

    /// The same service with another reopen window (`SWITCHBOARD_REOPEN_WINDOW`).
    pub fn with_reopen_window(mut self, window: std::time::Duration) -> Self {
        self.reopen_window = chrono::TimeDelta::from_std(window).unwrap_or(chrono::TimeDelta::MAX);
        self
    }

    /// The database, for health checks.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The live hub.
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// The limits this service runs with (uploads, pacing, logins).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Telegram calls and failures by method, counted by every caller of the Bot API here.
    pub fn telegram_calls(&self) -> &Arc<crate::metrics::TelegramCalls> {
        &self.telegram_calls
    }

    /// The outbox's wake-up signal.
    pub fn outbox(&self) -> &OutboxSignal {
        &self.outbox
    }

    /// Writes the transaction's events as its last statements (in commit order, see
    /// `store::events`), commits, and hands them to this instance's tailer, which publishes them
    /// to the consoles in seq order: consoles only ever hear of committed changes.
    async fn commit(&self, txn: DatabaseTransaction, events: Vec<NewEvent>) -> Result<(), DbErr> {
        let rows = store::events::append(&txn, self.hub.instance(), events).await?;
        txn.commit().await?;
        if !rows.is_empty() {
            self.hub.committed(rows);
        }
        Ok(())
    }
}

impl Service {
    /// Writes a control entry (see `hub::Control`) as the transaction's last statement and
    /// commits: every instance's tailer acts on it.
    async fn commit_control(
        &self,
        txn: DatabaseTransaction,
        control: crate::hub::Control,
    ) -> Result<(), DbErr> {
        let kind = control.kind();
        let event = NewEvent {
            department_id: self.default_department,
            ticket_id: None,
            // Hidden from its own department: no console ever gets it, live or replayed.
            hidden_from: Some(self.default_department),
            kind,
            payload: serde_json::json!({ "type": kind }).to_string(),
        };
        self.commit(txn, vec![event]).await?;
        Ok(())
    }
}

/// A `ticket.created` for the transaction to write.
fn record_ticket_created(ticket: &TicketView) -> Result<NewEvent, DbErr> {
    let event = Event::TicketCreated {
        ticket: ticket.clone(),
    };
    record_event(ticket.department.id, ticket.id, event)
}

/// A `ticket.updated`, with the timeline entry the change left, for the transaction to write.
fn record_ticket_updated(
    ticket: &TicketView,
    change: Option<ChangeView>,
) -> Result<NewEvent, DbErr> {
    let event = Event::TicketUpdated {
        ticket: ticket.clone(),
        change: change.map(Box::new),
    };
    record_event(ticket.department.id, ticket.id, event)
}

/// A message event (`message.created`, `message.updated`) for a stored message; returns the
/// message as consoles see it and the event for the transaction to write.
async fn record_message_event<C>(
    c: &C,
    department_id: DepartmentId,
    message: message::Model,
    customer_name: &str,
    event: fn(MessageView) -> Event,
) -> Result<(MessageView, NewEvent), DbErr>
where
    C: ConnectionTrait,
{
    let id = message.id;
    let view = store::messages::views(c, vec![message], customer_name)
        .await?
        .pop()
        .ok_or_else(|| {
            store::tickets::invariant(Invariant::new(format!(
                "message {id}: one message made no view"
            )))
        })?;
    let event = record_event(department_id, view.ticket_id, event(view.clone()))?;
    Ok((view, event))
}

/// Stores a system message (`text` in the customer's language) to the customer of `ticket` in the caller's transaction (the outbox
/// sends it after the commit) and returns its `message.created` event.
async fn record_customer_notice<C>(
    c: &C,
    texts: &LiveTexts,
    ticket: &TicketView,
    text: crate::texts::Text,
    values: &[(&str, &str)],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<NewEvent, DbErr>
where
    C: ConnectionTrait,
{
    let language = store::clients::find(c, ticket.client.id)
        .await?
        .and_then(|client| client.language);
    let text = &texts.render(text, language.as_deref(), values);
    record_customer_text(c, ticket, text, now).await
}

/// Stores `text` from the bot to the customer of `ticket` in the caller's transaction (the
/// outbox sends it after the commit) and returns its `message.created` event.
async fn record_customer_text<C>(
    c: &C,
    ticket: &TicketView,
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<NewEvent, DbErr>
where
    C: ConnectionTrait,
{
    let notice = store::messages::NewMessage::outbound(
        ticket.id,
        crate::domain::Author::System,
        ticket.client.telegram_id.private_chat(),
        text,
        now,
    );
    let notice = store::messages::insert(c, notice).await?;
    let (_, event) = record_message_event(
        c,
        ticket.department.id,
        notice,
        &ticket.client.name,
        |message| Event::MessageCreated { message },
    )
    .await?;
    Ok(event)
}

/// An event about ticket `ticket_id` of `department_id` for the transaction to write when it
/// commits (`Service::commit`).
fn record_event(
    department_id: DepartmentId,
    ticket_id: TicketId,
    event: Event,
) -> Result<NewEvent, DbErr> {
    new_event(department_id, Some(ticket_id), &event)
}

/// The row an event becomes, its payload serialized once.
fn new_event(
    department_id: DepartmentId,
    ticket_id: Option<TicketId>,
    event: &Event,
) -> Result<NewEvent, DbErr> {
    let payload =
        serde_json::to_string(event).map_err(|e| DbErr::Custom(format!("event payload: {e}")))?;
    Ok(NewEvent {
        department_id,
        ticket_id,
        hidden_from: event.hidden_from(),
        kind: event.kind(),
        payload,
    })
}
