//! The use-cases both front doors share: ingest a customer's message, accept, reply, log in, and
//! the delivery bookkeeping of the outbox. Each runs in one transaction, writes its events in it,
//! and publishes them to the hub after the commit.

mod accounts;
mod admin;
mod auth;
mod dead_letters;
mod delivery;
mod departments;
mod error;
mod ingest;
mod lifecycle;
mod notes;
mod password;
mod presence;
mod reassign;
mod routing;
mod tickets;

use std::sync::Arc;

use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr};
use tokio::sync::{Notify, Semaphore};

pub use admin::NewAgentInput;
pub use auth::{Actor, hash_password, instance_name};
pub use delivery::Outbound;
pub use departments::{DepartmentChanges, DepartmentInput};
pub use error::ServiceError;
pub use ingest::{IncomingMessage, IngestOutcome};
pub use presence::PresenceWrite;
pub use reassign::{ReassignInput, customer_notice};
pub use routing::{Press, ROUTING_QUESTION, RouteOutcome};

use crate::{
    domain::{DepartmentId, EventSeq, Invariant, TicketId},
    hub::{Event, Hub, LiveEvent},
    limits::Limits,
    store::{self, entity::message},
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
        }
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

    /// The outbox's wake-up signal.
    pub fn outbox(&self) -> &OutboxSignal {
        &self.outbox
    }

    /// Announces the transaction's events to other instances, commits, then publishes them to
    /// this instance's consoles: consoles only ever hear of committed changes.
    async fn commit(&self, txn: DatabaseTransaction, events: &[LiveEvent]) -> Result<(), DbErr> {
        let seqs: Vec<EventSeq> = events.iter().map(|e| e.seq).collect();
        store::events::announce(&txn, self.hub.instance(), &seqs).await?;
        txn.commit().await?;
        for event in events {
            self.hub.publish(event);
        }
        Ok(())
    }
}

/// Writes `ticket.created` in the caller's transaction.
async fn record_ticket_created<C>(c: &C, ticket: &TicketView) -> Result<LiveEvent, DbErr>
where
    C: ConnectionTrait,
{
    let event = Event::TicketCreated {
        ticket: ticket.clone(),
    };
    record_event(c, ticket.department.id, ticket.id, event).await
}

/// Writes `ticket.updated`, with the timeline entry the change left, in the caller's transaction.
async fn record_ticket_updated<C>(
    c: &C,
    ticket: &TicketView,
    change: Option<ChangeView>,
) -> Result<LiveEvent, DbErr>
where
    C: ConnectionTrait,
{
    let event = Event::TicketUpdated {
        ticket: ticket.clone(),
        change: change.map(Box::new),
    };
    record_event(c, ticket.department.id, ticket.id, event).await
}

/// Writes a message event (`message.created`, `message.updated`) for a stored message in the
/// caller's transaction; returns the message as consoles see it and the event.
async fn record_message_event<C>(
    c: &C,
    department_id: DepartmentId,
    message: message::Model,
    customer_name: &str,
    event: fn(MessageView) -> Event,
) -> Result<(MessageView, LiveEvent), DbErr>
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
    let event = record_event(c, department_id, view.ticket_id, event(view.clone())).await?;
    Ok((view, event))
}

/// Stores a system message to the customer of `ticket` in the caller's transaction (the outbox
/// sends it after the commit) and returns its `message.created` event.
async fn record_customer_notice<C>(
    c: &C,
    ticket: &TicketView,
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<LiveEvent, DbErr>
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

/// Writes an event in the caller's transaction and returns it ready to publish after the commit.
async fn record_event<C>(
    c: &C,
    department_id: DepartmentId,
    ticket_id: TicketId,
    event: Event,
) -> Result<LiveEvent, DbErr>
where
    C: ConnectionTrait,
{
    let payload =
        serde_json::to_string(&event).map_err(|e| DbErr::Custom(format!("event payload: {e}")))?;
    let row =
        store::events::insert(c, department_id, Some(ticket_id), event.kind(), payload).await?;
    Ok(LiveEvent::new(row.id, department_id, event))
}
