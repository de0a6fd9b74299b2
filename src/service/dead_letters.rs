//! Poison updates: a Telegram update that cannot be processed for a reason that will not go away
//! is kept as a dead letter and marked done in the update ledger, so the updates behind it flow;
//! admins list the dead letters.

use chrono::Utc;

use super::{Actor, Service, ServiceError};
use crate::{
    domain::{DeadLetterId, Role, UpdateId},
    store::{self, paging::Page},
    views::DeadLetterView,
};

impl Service {
    /// Keeps the update `update_id` (None when even its id was unreadable) as a dead letter with
    /// its raw JSON and the error, and records the id in the ledger, in one transaction. False
    /// when the ledger had the update already (a repeat): then nothing is stored.
    pub async fn dead_letter(
        &self,
        update_id: Option<UpdateId>,
        raw: &str,
        error: &str,
    ) -> Result<bool, ServiceError> {
        let txn = store::begin_write(&self.db).await?;
        if let Some(id) = update_id
            && !store::updates::record(&txn, id).await?
        {
            return Ok(false);
        }
        store::dead_letters::insert(&txn, update_id, raw, error, Utc::now()).await?;
        txn.commit().await?;
        tracing::warn!(
            update.id = update_id.map(|id| id.0),
            error,
            "a Telegram update was dead-lettered"
        );
        Ok(true)
    }

    /// A page of the dead letters, newest first (admins only); the cursor of the next, older page
    /// when more remain.
    pub async fn dead_letters(
        &self,
        actor: &Actor,
        page: Page<DeadLetterId>,
    ) -> Result<(Vec<DeadLetterView>, Option<DeadLetterId>), ServiceError> {
        if actor.agent.role != Role::Admin {
            return Err(ServiceError::Forbidden(
                "only an admin may see the dead letters".to_owned(),
            ));
        }
        let (rows, next) = store::dead_letters::page(&self.db, page).await?;
        let views = rows
            .into_iter()
            .map(|row| DeadLetterView {
                id: row.id,
                update_id: row.update_id,
                error: row.error,
                raw: row.raw,
                created_at: row.created_at,
            })
            .collect();
        Ok((views, next))
    }
}

impl ServiceError {
    /// Whether trying again cannot help: the database refused a value, or a rule or a check
    /// refused the input. A lost connection, a timeout or a lost race is not permanent.
    pub fn is_permanent(&self) -> bool {
        match self {
            Self::Db(error) => store::is_permanent(error),
            Self::Invalid(_) | Self::Rule(_) => true,
            _ => false,
        }
    }
}
