//! Clients: the Telegram users who write to the bot.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use super::entity::client;
use crate::domain::{ClientId, DepartmentId, TelegramUserId};

/// What Telegram tells us about a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelegramProfile {
    pub telegram_id: TelegramUserId,
    pub username: Option<String>,
    pub name: String,
    pub language: Option<String>,
}

/// Finds the client with this Telegram id, creating it or refreshing its profile.
pub async fn upsert<C>(c: &C, profile: &TelegramProfile) -> Result<client::Model, DbErr>
where
    C: ConnectionTrait,
{
    let existing = client::Entity::find()
        .filter(client::Column::TelegramId.eq(profile.telegram_id))
        .one(c)
        .await?;
    let now = Utc::now();
    match existing {
        Some(found)
            if found.username == profile.username
                && found.name == profile.name
                && found.language == profile.language =>
        {
            Ok(found)
        }
        Some(found) => {
            let mut row: client::ActiveModel = found.into();
            row.username = Set(profile.username.clone());
            row.name = Set(profile.name.clone());
            row.language = Set(profile.language.clone());
            row.updated_at = Set(now);
            row.update(c).await
        }
        None => {
            client::ActiveModel {
                telegram_id: Set(profile.telegram_id),
                username: Set(profile.username.clone()),
                name: Set(profile.name.clone()),
                language: Set(profile.language.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(c)
            .await
        }
    }
}

/// A client found or created by `upsert_many`.
#[derive(Debug, Clone)]
pub struct Upserted {
    pub client: client::Model,
    /// Created by this call: the customer never wrote before (no tickets, notes or ratings).
    pub created: bool,
}

/// `upsert` for a batch's profiles (the last profile of each Telegram id wins): one lookup, one
/// multi-row insert of the new clients, an update per changed profile. A client created at the
/// same time by another instance fails the insert with a unique violation (retry the batch).
pub async fn upsert_many<C>(
    c: &C,
    profiles: &[&TelegramProfile],
) -> Result<HashMap<TelegramUserId, Upserted>, DbErr>
where
    C: ConnectionTrait,
{
    let mut latest: HashMap<TelegramUserId, &TelegramProfile> = HashMap::new();
    for profile in profiles {
        latest.insert(profile.telegram_id, profile);
    }
    if latest.is_empty() {
        return Ok(HashMap::new());
    }
    let found = client::Entity::find()
        .filter(client::Column::TelegramId.is_in(latest.keys().copied()))
        .all(c)
        .await?;
    let now = Utc::now();
    let mut out = HashMap::with_capacity(latest.len());
    for row in found {
        let Some(profile) = latest.get(&row.telegram_id) else {
            continue;
        };
        let client = if row.username == profile.username
            && row.name == profile.name
            && row.language == profile.language
        {
            row
        } else {
            let mut changed: client::ActiveModel = row.into();
            changed.username = Set(profile.username.clone());
            changed.name = Set(profile.name.clone());
            changed.language = Set(profile.language.clone());
            changed.updated_at = Set(now);
            changed.update(c).await?
        };
        out.insert(
            client.telegram_id,
            Upserted {
                client,
                created: false,
            },
        );
    }
    let mut missing: Vec<&TelegramProfile> = latest
        .values()
        .filter(|p| !out.contains_key(&p.telegram_id))
        .copied()
        .collect();
    missing.sort_by_key(|p| p.telegram_id.0);
    for chunk in missing.chunks(INSERT_CHUNK) {
        let rows = chunk.iter().map(|profile| client::ActiveModel {
            telegram_id: Set(profile.telegram_id),
            username: Set(profile.username.clone()),
            name: Set(profile.name.clone()),
            language: Set(profile.language.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        for client in client::Entity::insert_many(rows)
            .exec_with_returning(c)
            .await?
        {
            out.insert(
                client.telegram_id,
                Upserted {
                    client,
                    created: true,
                },
            );
        }
    }
    Ok(out)
}

/// How many rows one multi-row insert of a batch writes at most (well under the databases'
/// limits on bound values).
const INSERT_CHUNK: usize = 200;

/// The clients with these ids.
pub async fn by_ids<C>(c: &C, ids: Vec<ClientId>) -> Result<Vec<client::Model>, DbErr>
where
    C: ConnectionTrait,
{
    client::Entity::find()
        .filter(client::Column::Id.is_in(ids))
        .all(c)
        .await
}

/// Finds a client by id.
pub async fn find<C>(c: &C, id: ClientId) -> Result<Option<client::Model>, DbErr>
where
    C: ConnectionTrait,
{
    client::Entity::find_by_id(id).one(c).await
}

/// The departments a client's tickets are in (any status): the consoles that may show the
/// client. Served by `idx_tickets_client`.
pub async fn departments_of<C>(c: &C, id: ClientId) -> Result<Vec<DepartmentId>, DbErr>
where
    C: ConnectionTrait,
{
    use sea_orm::QuerySelect;

    use super::entity::ticket;
    ticket::Entity::find()
        .select_only()
        .column(ticket::Column::DepartmentId)
        .distinct()
        .filter(ticket::Column::ClientId.eq(id))
        .into_tuple()
        .all(c)
        .await
}

/// The client with this Telegram id, if they ever wrote.
pub async fn find_by_telegram_id<C>(
    c: &C,
    telegram_id: TelegramUserId,
) -> Result<Option<client::Model>, DbErr>
where
    C: ConnectionTrait,
{
    client::Entity::find()
        .filter(client::Column::TelegramId.eq(telegram_id))
        .one(c)
        .await
}

/// Marks the client unreachable for `reason` (one conditional update); true when they were
/// reachable until now.
pub async fn mark_unreachable<C>(
    c: &C,
    id: ClientId,
    reason: &str,
    now: chrono::DateTime<Utc>,
) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let done = client::Entity::update_many()
        .col_expr(
            client::Column::UnreachableSince,
            sea_orm::sea_query::Expr::value(now),
        )
        .col_expr(
            client::Column::UnreachableReason,
            sea_orm::sea_query::Expr::value(reason.to_owned()),
        )
        .filter(client::Column::Id.eq(id))
        .filter(client::Column::UnreachableSince.is_null())
        .exec(c)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Marks the client reachable again; true when they were unreachable until now.
pub async fn mark_reachable<C>(c: &C, id: ClientId) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let done = client::Entity::update_many()
        .col_expr(
            client::Column::UnreachableSince,
            sea_orm::sea_query::Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(
            client::Column::UnreachableReason,
            sea_orm::sea_query::Expr::value(Option::<String>::None),
        )
        .filter(client::Column::Id.eq(id))
        .filter(client::Column::UnreachableSince.is_not_null())
        .exec(c)
        .await?;
    Ok(done.rows_affected == 1)
}
