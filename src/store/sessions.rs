//! Login sessions, stored by the hash of their token so any instance can check them.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use super::entity::session;
use crate::domain::AgentId;

/// Stores a new session.
pub async fn insert<C>(
    c: &C,
    token_hash: &str,
    agent_id: AgentId,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    session::Entity::insert(session::ActiveModel {
        token_hash: Set(token_hash.to_owned()),
        agent_id: Set(agent_id),
        created_at: Set(Utc::now()),
        expires_at: Set(expires_at),
    })
    .exec_without_returning(c)
    .await?;
    Ok(())
}

/// The agent of an unexpired session.
pub async fn agent_of<C>(
    c: &C,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<AgentId>, DbErr>
where
    C: ConnectionTrait,
{
    Ok(session::Entity::find_by_id(token_hash.to_owned())
        .filter(session::Column::ExpiresAt.gt(now))
        .one(c)
        .await?
        .map(|s| s.agent_id))
}

/// The agents of those of these sessions that are unexpired, by token hash; one query per 500
/// hashes.
pub async fn agents_of<C>(
    c: &C,
    token_hashes: &[String],
    now: DateTime<Utc>,
) -> Result<std::collections::HashMap<String, AgentId>, DbErr>
where
    C: ConnectionTrait,
{
    let mut found = std::collections::HashMap::new();
    for chunk in token_hashes.chunks(500) {
        let rows = session::Entity::find()
            .filter(session::Column::TokenHash.is_in(chunk.iter().cloned()))
            .filter(session::Column::ExpiresAt.gt(now))
            .all(c)
            .await?;
        found.extend(rows.into_iter().map(|s| (s.token_hash, s.agent_id)));
    }
    Ok(found)
}

/// Ends a session.
pub async fn delete<C>(c: &C, token_hash: &str) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    session::Entity::delete_many()
        .filter(session::Column::TokenHash.eq(token_hash))
        .exec(c)
        .await?;
    Ok(())
}

/// Forgets every expired session.
pub async fn delete_expired<C>(c: &C, now: DateTime<Utc>) -> Result<u64, DbErr>
where
    C: ConnectionTrait,
{
    Ok(session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(now))
        .exec(c)
        .await?
        .rows_affected)
}
