//! Presence rows: one per agent and instance while that instance holds a console of the agent,
//! refreshed by the instance's heartbeat; the agent's away flag; and the PostgreSQL channel that
//! tells the other instances an agent's presence changed.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Set, Statement,
    sea_query::{Expr, OnConflict},
};

use super::entity::{agent, agent_presence};
use crate::domain::{AgentId, Presence};

/// The PostgreSQL channel on which an instance says an agent's presence changed. Payload:
/// `instance:agent_id`.
pub const NOTIFY_CHANNEL: &str = "switchboard_presence";

/// Locks the agent's row until the transaction ends, so that changes to one agent's presence
/// (from any instance) happen one after another and each sees the one before. SQLite has no row
/// locks; its write transactions are serial anyway.
pub async fn lock_agent<C>(c: &C, id: AgentId) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    agent::Entity::find_by_id(id)
        .select_only()
        .column(agent::Column::Id)
        .lock_exclusive()
        .into_tuple::<AgentId>()
        .one(c)
        .await?;
    Ok(())
}

/// Records that `instance` holds a console of `agent_id` (or refreshes the row).
pub async fn connect<C>(
    c: &C,
    agent_id: AgentId,
    instance: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    agent_presence::Entity::insert(agent_presence::ActiveModel {
        agent_id: Set(agent_id),
        instance: Set(instance.to_owned()),
        seen_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            agent_presence::Column::AgentId,
            agent_presence::Column::Instance,
        ])
        .update_column(agent_presence::Column::SeenAt)
        .to_owned(),
    )
    .exec_without_returning(c)
    .await?;
    Ok(())
}

/// Records that `instance` holds no console of `agent_id` any more.
pub async fn disconnect<C>(c: &C, agent_id: AgentId, instance: &str) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    agent_presence::Entity::delete_many()
        .filter(agent_presence::Column::AgentId.eq(agent_id))
        .filter(agent_presence::Column::Instance.eq(instance))
        .exec(c)
        .await?;
    Ok(())
}

/// Refreshes every row of `instance`; returns how many there were.
pub async fn heartbeat<C>(c: &C, instance: &str, now: DateTime<Utc>) -> Result<u64, DbErr>
where
    C: ConnectionTrait,
{
    Ok(agent_presence::Entity::update_many()
        .col_expr(agent_presence::Column::SeenAt, Expr::value(now))
        .filter(agent_presence::Column::Instance.eq(instance))
        .exec(c)
        .await?
        .rows_affected)
}

/// The agents with rows of other instances not refreshed since `cutoff` (those instances died).
pub async fn stale<C>(
    c: &C,
    cutoff: DateTime<Utc>,
    except_instance: &str,
) -> Result<Vec<AgentId>, DbErr>
where
    C: ConnectionTrait,
{
    let ids: Vec<AgentId> = agent_presence::Entity::find()
        .select_only()
        .column(agent_presence::Column::AgentId)
        .distinct()
        .filter(agent_presence::Column::SeenAt.lt(cutoff))
        .filter(agent_presence::Column::Instance.ne(except_instance))
        .into_tuple()
        .all(c)
        .await?;
    Ok(distinct(ids.into_iter()))
}

/// Deletes the agent's rows of other instances not refreshed since `cutoff`; returns how many.
/// Of two instances sweeping at once, each row goes to one.
pub async fn sweep<C>(
    c: &C,
    agent_id: AgentId,
    cutoff: DateTime<Utc>,
    except_instance: &str,
) -> Result<u64, DbErr>
where
    C: ConnectionTrait,
{
    Ok(agent_presence::Entity::delete_many()
        .filter(agent_presence::Column::AgentId.eq(agent_id))
        .filter(agent_presence::Column::SeenAt.lt(cutoff))
        .filter(agent_presence::Column::Instance.ne(except_instance))
        .exec(c)
        .await?
        .rows_affected)
}

/// Deletes every row of `instance` (on start-up and on shutdown) and returns whose they were.
pub async fn forget_instance<C>(c: &C, instance: &str) -> Result<Vec<AgentId>, DbErr>
where
    C: ConnectionTrait,
{
    let gone = agent_presence::Entity::delete_many()
        .filter(agent_presence::Column::Instance.eq(instance))
        .exec_with_returning(c)
        .await?;
    Ok(distinct(gone.into_iter().map(|row| row.agent_id)))
}

/// Sets or clears an agent's away flag.
pub async fn set_away<C>(c: &C, agent_id: AgentId, away: bool) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    agent::Entity::update_many()
        .col_expr(agent::Column::Away, Expr::value(away))
        .filter(agent::Column::Id.eq(agent_id))
        .exec(c)
        .await?;
    Ok(())
}

/// The presence of each of these agents, in two queries however many there are. Unknown ids are
/// left out.
pub async fn of<C>(c: &C, ids: &[AgentId]) -> Result<HashMap<AgentId, Presence>, DbErr>
where
    C: ConnectionTrait,
{
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let flags: Vec<(AgentId, bool)> = agent::Entity::find()
        .select_only()
        .column(agent::Column::Id)
        .column(agent::Column::Away)
        .filter(agent::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(c)
        .await?;
    let connected: HashSet<AgentId> = agent_presence::Entity::find()
        .select_only()
        .column(agent_presence::Column::AgentId)
        .distinct()
        .filter(agent_presence::Column::AgentId.is_in(ids.iter().copied()))
        .into_tuple::<AgentId>()
        .all(c)
        .await?
        .into_iter()
        .collect();
    Ok(flags
        .into_iter()
        .map(|(id, away)| (id, Presence::of(connected.contains(&id), away)))
        .collect())
}

/// On PostgreSQL, tells the other instances (when the transaction commits) that the presence of
/// `agent_id` changed. Nothing to do on SQLite.
pub async fn announce<C>(c: &C, instance: &str, agent_id: AgentId) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    if !super::is_postgres(c) {
        return Ok(());
    }
    c.execute_raw(Statement::from_sql_and_values(
        sea_orm::DatabaseBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [
            NOTIFY_CHANNEL.into(),
            format!("{instance}:{agent_id}").into(),
        ],
    ))
    .await?;
    Ok(())
}

fn distinct(ids: impl Iterator<Item = AgentId>) -> Vec<AgentId> {
    let mut ids: Vec<AgentId> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}
