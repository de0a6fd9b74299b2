//! Reading the audit trail (admins only); writing it is `store::audit::record`, in each change's
//! own transaction.

use super::{Actor, Service, ServiceError, admin::admin_only};
use crate::{domain::AgentId, store, views::AuditView};

impl Service {
    /// Up to `limit` audit rows, newest first, older than the row `before` when given.
    pub async fn audit(
        &self,
        actor: &Actor,
        limit: u64,
        before: Option<i64>,
    ) -> Result<Vec<AuditView>, ServiceError> {
        admin_only(actor)?;
        let rows = store::audit::page(&self.db, limit, before).await?;
        Ok(rows
            .into_iter()
            .map(|row| AuditView {
                id: row.id,
                at: row.at,
                actor_id: row.actor_id.map(AgentId),
                actor_name: row.actor_name,
                action: row.action,
                target: row.target,
                details: serde_json::from_str(&row.details)
                    .unwrap_or(serde_json::Value::String(row.details)),
            })
            .collect())
    }
}
