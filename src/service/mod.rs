//! The use-cases both front doors share: ingest a customer's message, accept, reply, log in, and
//! the delivery bookkeeping of the outbox. Each runs in one transaction, writes its events in it,
//! and publishes them to the hub after the commit.

mod admin;
mod auth;
mod delivery;
mod error;
mod ingest;
mod tickets;

use std::sync::Arc;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use serde::Serialize;
use tokio::sync::Notify;

pub use admin::NewAgentInput;
pub use auth::{Actor, hash_password, instance_name};
pub use delivery::Outbound;
pub use error::ServiceError;
pub use ingest::{IncomingMessage, IngestOutcome};

use crate::{
    hub::{Hub, LiveEvent},
    store,
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
    default_department: i64,
}

impl Service {
    pub fn new(
        db: DatabaseConnection,
        hub: Hub,
        outbox: OutboxSignal,
        default_department: i64,
    ) -> Self {
        Self {
            db,
            hub,
            outbox,
            default_department,
        }
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

    fn publish(&self, events: &[LiveEvent]) {
        for event in events {
            self.hub.publish(event);
        }
    }
}

/// Writes an event in the caller's transaction and returns it ready to publish after the commit.
async fn record_event<C, B>(
    c: &C,
    hub: &Hub,
    department_id: i64,
    ticket_id: i64,
    kind: &str,
    body: &B,
) -> Result<LiveEvent, DbErr>
where
    C: ConnectionTrait,
    B: Serialize,
{
    let row = store::events::insert(
        c,
        hub.instance(),
        department_id,
        Some(ticket_id),
        kind,
        body,
    )
    .await?;
    Ok(LiveEvent::from_row(&row))
}
