//! The operator's bot text overrides set from the console (language × key → template).

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::OnConflict,
};

use super::entity::bot_text_override;

/// Every override, by language then key.
pub async fn all<C>(c: &C) -> Result<Vec<bot_text_override::Model>, DbErr>
where
    C: ConnectionTrait,
{
    bot_text_override::Entity::find()
        .order_by_asc(bot_text_override::Column::Language)
        .order_by_asc(bot_text_override::Column::Key)
        .all(c)
        .await
}

/// How many overrides there are.
pub async fn count<C>(c: &C) -> Result<u64, DbErr>
where
    C: ConnectionTrait,
{
    use sea_orm::PaginatorTrait;
    bot_text_override::Entity::find().count(c).await
}

/// The override of `key` in `language`, when there is one.
pub async fn find<C>(
    c: &C,
    language: &str,
    key: &str,
) -> Result<Option<bot_text_override::Model>, DbErr>
where
    C: ConnectionTrait,
{
    bot_text_override::Entity::find_by_id((language.to_owned(), key.to_owned()))
        .one(c)
        .await
}

/// Sets the override of `key` in `language` (one statement: two writers never collide).
pub async fn set<C>(c: &C, language: &str, key: &str, template: &str) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    bot_text_override::Entity::insert(bot_text_override::ActiveModel {
        language: Set(language.to_owned()),
        key: Set(key.to_owned()),
        template: Set(template.to_owned()),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([
            bot_text_override::Column::Language,
            bot_text_override::Column::Key,
        ])
        .update_columns([
            bot_text_override::Column::Template,
            bot_text_override::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(c)
    .await?;
    Ok(())
}

/// Removes the override of `key` in `language`; false when there was none.
pub async fn remove<C>(c: &C, language: &str, key: &str) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    Ok(bot_text_override::Entity::delete_many()
        .filter(bot_text_override::Column::Language.eq(language))
        .filter(bot_text_override::Column::Key.eq(key))
        .exec(c)
        .await?
        .rows_affected
        > 0)
}
