//! The ticket timeline: one row per state change, with who made it and when.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::{
    entity::ticket_change,
    paging::{Page, split},
};
use crate::{
    domain::{AgentId, ChangeId, ChangeKind, CloseReason, DepartmentId, TicketId},
    views::{AgentRef, ChangeView, DepartmentRef, Side},
};

/// A change to record.
#[derive(Debug, Clone, Default)]
pub struct NewChange {
    pub by: Option<AgentId>,
    pub from_department: Option<DepartmentId>,
    pub to_department: Option<DepartmentId>,
    pub from_agent: Option<AgentId>,
    pub to_agent: Option<AgentId>,
    pub reason: Option<CloseReason>,
    pub note: Option<String>,
}

/// Records a change of `ticket`.
pub async fn insert<C>(
    c: &C,
    ticket: TicketId,
    kind: ChangeKind,
    change: NewChange,
    at: DateTime<Utc>,
) -> Result<ticket_change::Model, DbErr>
where
    C: ConnectionTrait,
{
    ticket_change::ActiveModel {
        ticket_id: Set(ticket),
        kind: Set(kind),
        by_agent_id: Set(change.by),
        from_department_id: Set(change.from_department),
        to_department_id: Set(change.to_department),
        from_agent_id: Set(change.from_agent),
        to_agent_id: Set(change.to_agent),
        reason: Set(change.reason),
        note: Set(change.note),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(c)
    .await
}

/// Records the same kind of change of several tickets in one multi-row insert.
pub async fn insert_many<C>(
    c: &C,
    changes: Vec<(TicketId, NewChange)>,
    kind: ChangeKind,
    at: DateTime<Utc>,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    if changes.is_empty() {
        return Ok(());
    }
    for chunk in changes.chunks(200) {
        let rows = chunk
            .iter()
            .cloned()
            .map(|(ticket, change)| ticket_change::ActiveModel {
                ticket_id: Set(ticket),
                kind: Set(kind),
                by_agent_id: Set(change.by),
                from_department_id: Set(change.from_department),
                to_department_id: Set(change.to_department),
                from_agent_id: Set(change.from_agent),
                to_agent_id: Set(change.to_agent),
                reason: Set(change.reason),
                note: Set(change.note),
                created_at: Set(at),
                ..Default::default()
            });
        ticket_change::Entity::insert_many(rows).exec(c).await?;
    }
    Ok(())
}

/// A page of a ticket's timeline, oldest first (served by `idx_ticket_changes_ticket`), and the
/// cursor of the next page when more remain.
pub async fn for_ticket<C>(
    c: &C,
    ticket: TicketId,
    page: Page<ChangeId>,
) -> Result<(Vec<ticket_change::Model>, Option<ChangeId>), DbErr>
where
    C: ConnectionTrait,
{
    let mut query =
        ticket_change::Entity::find().filter(ticket_change::Column::TicketId.eq(ticket));
    if let Some(after) = page.after {
        query = query.filter(ticket_change::Column::Id.gt(after));
    }
    let rows = query
        .order_by_asc(ticket_change::Column::Id)
        .limit(page.fetch())
        .all(c)
        .await?;
    Ok(split(rows, page.limit, |r| r.id))
}

/// Timeline entries as the console shows them, with agents' and departments' names.
pub async fn views<C>(c: &C, rows: Vec<ticket_change::Model>) -> Result<Vec<ChangeView>, DbErr>
where
    C: ConnectionTrait,
{
    let agents: Vec<AgentId> = rows
        .iter()
        .flat_map(|r| [r.by_agent_id, r.from_agent_id, r.to_agent_id])
        .flatten()
        .collect();
    let departments: Vec<DepartmentId> = rows
        .iter()
        .flat_map(|r| [r.from_department_id, r.to_department_id])
        .flatten()
        .collect();
    let agents = super::agents::names(c, agents).await?;
    let departments: HashMap<DepartmentId, String> = super::departments::by_ids(c, departments)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let agent = |id: Option<AgentId>| {
        id.map(|id| AgentRef {
            id,
            name: agents.get(&id).cloned().unwrap_or_default(),
        })
    };
    let department = |id: Option<DepartmentId>| {
        id.map(|id| DepartmentRef {
            id,
            name: departments.get(&id).cloned().unwrap_or_default(),
        })
    };
    Ok(rows
        .into_iter()
        .map(|r| ChangeView {
            id: r.id,
            ticket_id: r.ticket_id,
            kind: r.kind,
            by: agent(r.by_agent_id),
            from: Side {
                department: department(r.from_department_id),
                agent: agent(r.from_agent_id),
            },
            to: Side {
                department: department(r.to_department_id),
                agent: agent(r.to_agent_id),
            },
            reason: r.reason,
            note: r.note,
            at: r.created_at,
        })
        .collect())
}

/// Whether `ticket` was ever moved out of one of `departments` (so an agent of those departments
/// could see it before it was passed on).
pub async fn left_any<C>(
    c: &C,
    ticket: TicketId,
    departments: &[DepartmentId],
) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    if departments.is_empty() {
        return Ok(false);
    }
    let found = ticket_change::Entity::find()
        .filter(ticket_change::Column::TicketId.eq(ticket))
        .filter(ticket_change::Column::FromDepartmentId.is_in(departments.iter().copied()))
        .one(c)
        .await?;
    Ok(found.is_some())
}
