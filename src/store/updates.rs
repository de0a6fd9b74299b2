//! The ledger of Telegram updates already ingested, which makes ingest idempotent.

use chrono::Utc;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set, sea_query::OnConflict};

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
