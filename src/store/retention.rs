//! Pruning what only grows: events older than the retention window (consoles resume from recent
//! seqs only) and the ids of Telegram updates too old to be delivered again. A batch at a time,
//! walking the primary key from its oldest end, so each statement is short and ingest goes on.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::entity::{event, telegram_update};
use crate::domain::{EventSeq, UpdateId};

/// Deletes up to `batch` events written before `cutoff`; returns how many.
pub async fn prune_events<C>(c: &C, cutoff: DateTime<Utc>, batch: u64) -> Result<u64, DbErr>
where
    C: ConnectionTrait,
{
    let ids: Vec<EventSeq> = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .filter(event::Column::CreatedAt.lt(cutoff))
        .order_by_asc(event::Column::Id)
        .limit(batch)
        .into_tuple()
        .all(c)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let deleted = event::Entity::delete_many()
        .filter(event::Column::Id.is_in(ids))
        .exec(c)
        .await?;
    Ok(deleted.rows_affected)
}

/// Deletes up to `batch` update ids received before `cutoff`; returns how many.
pub async fn prune_updates<C>(c: &C, cutoff: DateTime<Utc>, batch: u64) -> Result<u64, DbErr>
where
    C: ConnectionTrait,
{
    let ids: Vec<UpdateId> = telegram_update::Entity::find()
        .select_only()
        .column(telegram_update::Column::UpdateId)
        .filter(telegram_update::Column::ReceivedAt.lt(cutoff))
        .order_by_asc(telegram_update::Column::UpdateId)
        .limit(batch)
        .into_tuple()
        .all(c)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let deleted = telegram_update::Entity::delete_many()
        .filter(telegram_update::Column::UpdateId.is_in(ids))
        .exec(c)
        .await?;
    Ok(deleted.rows_affected)
}
