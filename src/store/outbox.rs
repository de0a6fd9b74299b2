//! The outbox in batches: claiming the next message of many chats in one statement, and
//! recording many deliveries in one.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter, QuerySelect,
    Statement, Value,
    sea_query::{CaseStatement, Expr},
};

use super::{
    entity::{message, outbound_file, ticket},
    messages::STALE_CLAIM,
};
use crate::domain::{DeliveryState, DepartmentId, MessageId, TelegramMessageId, TicketId};

/// Claims, in one statement, the oldest waiting message of up to `limit` chats, oldest first,
/// and returns them as claimed. A chat with a message being sent (a claim younger than
/// `STALE_CLAIM`, by this or any instance) is skipped, so that no two messages of one chat are
/// ever in flight and a chat's messages go in order. The update re-checks each row's state, so a
/// message claimed concurrently by another instance is left to it (PostgreSQL re-evaluates the
/// condition after the row lock; SQLite runs one writer at a time).
pub async fn claim_next<C>(
    c: &C,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Vec<message::Model>, DbErr>
where
    C: ConnectionTrait,
{
    let backend = c.get_database_backend();
    let mut n = 0;
    let mut p = || {
        n += 1;
        match backend {
            DatabaseBackend::Postgres => format!("${n}"),
            _ => "?".to_owned(),
        }
    };
    let stale = now - STALE_CLAIM;
    let sql = format!(
        "UPDATE messages SET delivery = 'sending', delivery_claimed_at = {now} \
         WHERE id IN ( \
           SELECT MIN(m.id) FROM messages m \
           WHERE (m.delivery = 'queued' OR (m.delivery = 'sending' AND m.delivery_claimed_at < {stale1})) \
             AND NOT EXISTS ( \
               SELECT 1 FROM messages b \
               WHERE b.telegram_chat_id = m.telegram_chat_id AND b.delivery = 'sending' \
                 AND b.delivery_claimed_at >= {stale2}) \
           GROUP BY m.telegram_chat_id \
           ORDER BY MIN(m.id) \
           LIMIT {limit}) \
         AND (delivery = 'queued' OR (delivery = 'sending' AND delivery_claimed_at < {stale3})) \
         RETURNING *",
        now = p(),
        stale1 = p(),
        stale2 = p(),
        limit = p(),
        stale3 = p(),
    );
    let values: Vec<Value> = vec![
        now.into(),
        stale.into(),
        stale.into(),
        i64::try_from(limit).unwrap_or(i64::MAX).into(),
        stale.into(),
    ];
    let mut claimed = message::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
        .all(c)
        .await?;
    claimed.sort_by_key(|m| m.id);
    Ok(claimed)
}

/// Records, in one statement, that Telegram took these messages (with the ids it gave them);
/// returns the rows changed, as they now are. A message no longer `sending` is left alone.
pub async fn mark_sent<C>(
    c: &C,
    sent: &[(MessageId, TelegramMessageId)],
) -> Result<Vec<message::Model>, DbErr>
where
    C: ConnectionTrait,
{
    let Some(((id, telegram_id), rest)) = sent.split_first() else {
        return Ok(Vec::new());
    };
    let mut case = CaseStatement::new().case(message::Column::Id.eq(*id), *telegram_id);
    for (id, telegram_id) in rest {
        case = case.case(message::Column::Id.eq(*id), *telegram_id);
    }
    let case = case.finally(Expr::col(message::Column::TelegramMessageId));
    let mut rows = message::Entity::update_many()
        .col_expr(message::Column::Delivery, Expr::value(DeliveryState::Sent))
        .col_expr(
            message::Column::DeliveryError,
            Expr::value(Option::<String>::None),
        )
        .col_expr(message::Column::TelegramMessageId, case.into())
        .filter(message::Column::Id.is_in(sent.iter().map(|(id, _)| *id)))
        .filter(message::Column::Delivery.eq(DeliveryState::Sending))
        .exec_with_returning(c)
        .await?;
    rows.sort_by_key(|m| m.id);
    Ok(rows)
}

/// Puts claimed messages that were not tried back in the queue as they were (no note).
pub async fn release<C>(c: &C, ids: Vec<MessageId>) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    if ids.is_empty() {
        return Ok(());
    }
    message::Entity::update_many()
        .col_expr(
            message::Column::Delivery,
            Expr::value(DeliveryState::Queued),
        )
        .col_expr(
            message::Column::DeliveryClaimedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(message::Column::Id.is_in(ids))
        .filter(message::Column::Delivery.eq(DeliveryState::Sending))
        .exec(c)
        .await?;
    Ok(())
}

/// The Telegram ids of these messages (those Telegram knows), by our id.
pub async fn telegram_ids<C>(
    c: &C,
    ids: Vec<MessageId>,
) -> Result<HashMap<MessageId, TelegramMessageId>, DbErr>
where
    C: ConnectionTrait,
{
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(MessageId, Option<TelegramMessageId>)> = message::Entity::find()
        .select_only()
        .column(message::Column::Id)
        .column(message::Column::TelegramMessageId)
        .filter(message::Column::Id.is_in(ids))
        .into_tuple()
        .all(c)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, telegram)| Some((id, telegram?)))
        .collect())
}

/// The files (with their bytes, if still kept) of these messages, by message id.
pub async fn files<C>(
    c: &C,
    ids: Vec<MessageId>,
) -> Result<HashMap<MessageId, outbound_file::Model>, DbErr>
where
    C: ConnectionTrait,
{
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(outbound_file::Entity::find()
        .filter(outbound_file::Column::MessageId.is_in(ids))
        .all(c)
        .await?
        .into_iter()
        .map(|file| (file.message_id, file))
        .collect())
}

/// Drops the bytes of these messages' files (Telegram has them).
pub async fn drop_bytes<C>(c: &C, ids: Vec<MessageId>) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    if ids.is_empty() {
        return Ok(());
    }
    outbound_file::Entity::update_many()
        .col_expr(
            outbound_file::Column::Bytes,
            Expr::value(Option::<Vec<u8>>::None),
        )
        .filter(outbound_file::Column::MessageId.is_in(ids))
        .filter(outbound_file::Column::Bytes.is_not_null())
        .exec(c)
        .await?;
    Ok(())
}

/// The departments of these tickets, by ticket id.
pub async fn departments<C>(
    c: &C,
    tickets: Vec<TicketId>,
) -> Result<HashMap<TicketId, DepartmentId>, DbErr>
where
    C: ConnectionTrait,
{
    if tickets.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(TicketId, DepartmentId)> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::Id)
        .column(ticket::Column::DepartmentId)
        .filter(ticket::Column::Id.is_in(tickets))
        .into_tuple()
        .all(c)
        .await?;
    Ok(rows.into_iter().collect())
}
