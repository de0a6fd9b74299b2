//! The ledger of Telegram updates already ingested, which makes ingest idempotent.

use chrono::Utc;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set, TryInsertResult, sea_query::OnConflict};

use super::entity::telegram_update;
use crate::domain::UpdateId;

/// Records `update_id`; false when it was recorded before (the update is a repeat).
pub async fn record<C>(c: &C, update_id: UpdateId) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let row = telegram_update::ActiveModel {
        update_id: Set(update_id),
        received_at: Set(Utc::now()),
    };
    let inserted = telegram_update::Entity::insert(row)
        .on_conflict(
            OnConflict::column(telegram_update::Column::UpdateId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(c)
        .await?;
    Ok(inserted == 1)
}

/// Records a batch's update ids in one statement; returns those recorded now (the others are
/// repeats of updates recorded before).
pub async fn record_many<C>(
    c: &C,
    update_ids: &[UpdateId],
) -> Result<std::collections::HashSet<UpdateId>, DbErr>
where
    C: ConnectionTrait,
{
    let mut distinct: Vec<UpdateId> = update_ids.to_vec();
    distinct.sort_unstable_by_key(|id| id.0);
    distinct.dedup();
    let now = Utc::now();
    let rows = distinct
        .into_iter()
        .map(|update_id| telegram_update::ActiveModel {
            update_id: Set(update_id),
            received_at: Set(now),
        });
    let inserted = telegram_update::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([telegram_update::Column::UpdateId])
        .exec_with_returning_many(c)
        .await?;
    Ok(match inserted {
        TryInsertResult::Inserted(rows) => rows.into_iter().map(|row| row.update_id).collect(),
        TryInsertResult::Conflicted | TryInsertResult::Empty => Default::default(),
    })
}
