//! The audit trail: one row per administrative change, written in the change's own transaction.
//! Other parts call `record` with their transaction so the change and its row commit together.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::entity::audit_entry;
use crate::domain::AgentId;

/// Who made an administrative change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditActor {
    /// None for the command line.
    pub id: Option<AgentId>,
    pub name: String,
}

impl AuditActor {
    /// An agent of the console, named by their login.
    pub fn agent(id: AgentId, login: &str) -> Self {
        Self {
            id: Some(id),
            name: login.to_owned(),
        }
    }

    /// The operator at the command line.
    pub fn command_line() -> Self {
        Self {
            id: None,
            name: "command line".to_owned(),
        }
    }
}

/// Writes one audit row in the caller's transaction: `action` (such as `agent.created`) on
/// `target` (such as `agent:7`), with `details`, a JSON object of what changed. Never put a
/// password in `details`.
pub async fn record<C>(
    c: &C,
    actor: &AuditActor,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    audit_entry::ActiveModel {
        at: Set(Utc::now()),
        actor_id: Set(actor.id.map(|id| id.0)),
        actor_name: Set(actor.name.chars().take(200).collect()),
        action: Set(action.chars().take(64).collect()),
        target: Set(target.chars().take(200).collect()),
        details: Set(details.to_string()),
        ..Default::default()
    }
    .insert(c)
    .await?;
    Ok(())
}

/// Up to `limit` audit rows, newest first, older than the row `before` when given.
pub async fn page<C>(
    c: &C,
    limit: u64,
    before: Option<i64>,
) -> Result<Vec<audit_entry::Model>, DbErr>
where
    C: ConnectionTrait,
{
    let mut query = audit_entry::Entity::find();
    if let Some(before) = before {
        query = query.filter(audit_entry::Column::Id.lt(before));
    }
    query
        .order_by_desc(audit_entry::Column::Id)
        .limit(limit)
        .all(c)
        .await
}
