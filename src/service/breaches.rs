//! Breaches of first-response targets: a periodic check (see `crate::breaches`) finds the waits
//! past their department's target and records each once, with a `ticket.breached` event that
//! supervisors' consoles alert on. The check takes the time as an argument, so tests drive it.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::{Service, ServiceError, record_event};
use crate::{hub::Event, store};

/// The most breaches one check records (the next check takes the rest).
pub const BREACH_BATCH: u64 = 500;

impl Service {
    /// Records every wait past its target at `now` that is not recorded yet and publishes a
    /// `ticket.breached` for each; returns how many this instance recorded.
    pub async fn check_breaches(&self, now: DateTime<Utc>) -> Result<u64, ServiceError> {
        let recorded = Self::check_breaches_in(&self.db, self.hub.instance(), now).await?;
        if recorded > 0 {
            self.hub.log_grew();
        }
        Ok(recorded)
    }

    /// The check on a database, writing the events as instance `instance`: each breach is
    /// recorded by one conditional update in its own transaction with its event, so with several
    /// instances checking at once each breach is recorded, and alerted, exactly once.
    pub async fn check_breaches_in(
        db: &DatabaseConnection,
        instance: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, ServiceError> {
        let targets = store::breaches::targets(db).await?;
        let candidates = store::breaches::unrecorded(db, &targets, now, BREACH_BATCH).await?;
        let mut recorded = 0;
        for ticket in candidates {
            let Some((kind, since)) = crate::domain::current_wait(
                ticket.state,
                ticket.created_at,
                ticket.awaiting_reply_since,
            ) else {
                continue;
            };
            let txn = store::begin_write(db).await?;
            if !store::breaches::record(&txn, ticket.id, ticket.state.status(), since).await? {
                continue;
            }
            let fresh = store::tickets::find(&txn, ticket.id)
                .await?
                .ok_or_else(|| ServiceError::bug(format!("ticket {} vanished", ticket.id)))?;
            let view = store::tickets::view(&txn, fresh).await?;
            let event = Event::TicketBreached {
                ticket_id: view.id,
                kind,
                since,
                ticket: view.clone(),
            };
            let event = record_event(view.department.id, view.id, event)?;
            store::events::append(&txn, instance, vec![event]).await?;
            txn.commit().await?;
            recorded += 1;
            tracing::info!(ticket.id = %view.id, ?kind, %since, "first-response target breached");
        }
        Ok(recorded)
    }
}
