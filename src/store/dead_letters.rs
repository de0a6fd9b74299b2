//! Dead letters: Telegram updates kept because they could not be processed, newest first for the
//! admins, pruned after the retention window.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::{
    entity::dead_letter::{self, Model},
    paging::{Page, split},
};
use crate::domain::{DeadLetterId, UpdateId};

/// The most characters of an update's raw JSON kept (Telegram's updates are far smaller; a
/// bigger one is cut).
pub const MAX_RAW_CHARS: usize = 16 * 1024;
/// The most characters of the error kept.
pub const MAX_ERROR_CHARS: usize = 1000;

/// Stores a dead letter, cutting `raw` and `error` to their bounds.
pub async fn insert<C>(
    c: &C,
    update_id: Option<UpdateId>,
    raw: &str,
    error: &str,
    now: DateTime<Utc>,
) -> Result<Model, DbErr>
where
    C: ConnectionTrait,
{
    dead_letter::ActiveModel {
        update_id: Set(update_id),
        raw: Set(cut(raw, MAX_RAW_CHARS)),
        error: Set(cut(error, MAX_ERROR_CHARS)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(c)
    .await
}

/// A page of dead letters, newest first, before the dead letter `page.after` (the cursor walks
/// back); returns the page and the cursor of the next (older) page when more remain.
pub async fn page<C>(
    c: &C,
    page: Page<DeadLetterId>,
) -> Result<(Vec<Model>, Option<DeadLetterId>), DbErr>
where
    C: ConnectionTrait,
{
    let mut query = dead_letter::Entity::find().order_by_desc(dead_letter::Column::Id);
    if let Some(before) = page.after {
        query = query.filter(dead_letter::Column::Id.lt(before));
    }
    let rows = query.limit(page.fetch()).all(c).await?;
    Ok(split(rows, page.limit, |row| row.id))
}

/// `text` cut to `max` characters, NUL characters (which PostgreSQL refuses) replaced.
fn cut(text: &str, max: usize) -> String {
    text.chars()
        .take(max)
        .map(|c| if c == '\0' { '\u{FFFD}' } else { c })
        .collect()
}
