//! Pruning what only grows: events older than the retention window (consoles resume from recent
//! seqs only) and the ids of Telegram updates too old to be delivered again. A batch at a time,
//! walking the primary key from its oldest end, so each statement is short and ingest goes on.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::entity::{dead_letter, event, telegram_update};
use crate::domain::EventSeq;

/// Deletes up to `batch` events written before `cutoff` and, in the same transaction, raises
/// the log's pruned-through mark to the highest seq deleted; returns how many.
pub async fn prune_events(
    db: &DatabaseConnection,
    cutoff: DateTime<Utc>,
    batch: u64,
) -> Result<u64, DbErr> {
    let txn = super::begin_write(db).await?;
    let (deleted, highest) = prune::<event::Entity, _>(
        &txn,
        event::Column::Id,
        event::Column::CreatedAt,
        cutoff,
        batch,
    )
    .await?;
    if let Some(highest) = highest {
        super::events::raise_pruned_through(&txn, EventSeq(highest)).await?;
    }
    txn.commit().await?;
    Ok(deleted)
}

/// Deletes up to `batch` update ids received before `cutoff`; returns how many.
pub async fn prune_updates<C>(c: &C, cutoff: DateTime<Utc>, batch: u64) -> Result<u64, DbErr>
where
    C: ConnectionTrait,
{
    let (deleted, _) = prune::<telegram_update::Entity, C>(
        c,
        telegram_update::Column::UpdateId,
        telegram_update::Column::ReceivedAt,
        cutoff,
        batch,
    )
    .await?;
    Ok(deleted)
}

/// Deletes up to `batch` dead letters stored before `cutoff`; returns how many.
pub async fn prune_dead_letters<C>(c: &C, cutoff: DateTime<Utc>, batch: u64) -> Result<u64, DbErr>
where
    C: ConnectionTrait,
{
    let (deleted, _) = prune::<dead_letter::Entity, C>(
        c,
        dead_letter::Column::Id,
        dead_letter::Column::CreatedAt,
        cutoff,
        batch,
    )
    .await?;
    Ok(deleted)
}

/// Deletes up to `batch` rows of `E` whose `at` is before `cutoff`, oldest `id`s first (`id` is
/// an integer key); returns how many, and the highest id deleted.
async fn prune<E, C>(
    c: &C,
    id: E::Column,
    at: E::Column,
    cutoff: DateTime<Utc>,
    batch: u64,
) -> Result<(u64, Option<i64>), DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let ids: Vec<i64> = E::find()
        .select_only()
        .column(id)
        .filter(at.lt(cutoff))
        .order_by_asc(id)
        .limit(batch)
        .into_tuple()
        .all(c)
        .await?;
    let Some(highest) = ids.iter().copied().max() else {
        return Ok((0, None));
    };
    let deleted = E::delete_many().filter(id.is_in(ids)).exec(c).await?;
    Ok((deleted.rows_affected, Some(highest)))
}
