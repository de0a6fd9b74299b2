//! The durable jobs that post closed tickets' transcripts to the staff chat: queued in the
//! closing transaction, claimed by one instance at a time, retried until Telegram takes them or
//! refuses them for good.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
    sea_query::{Expr, ExprTrait},
};

use super::entity::transcript_post;
use crate::domain::{ChatId, TicketId};

/// Waiting to be sent.
pub const PENDING: &str = "pending";
/// Telegram took it.
pub const SENT: &str = "sent";
/// Telegram refused it for good, or it failed too often.
pub const FAILED: &str = "failed";

/// How long a claim holds a job: far longer than building and sending one transcript takes. A job
/// whose instance died mid-send is taken over after it.
pub const CLAIM: TimeDelta = TimeDelta::minutes(5);

/// Queues the transcript of `ticket` for `chat`.
pub async fn enqueue<C>(
    c: &C,
    ticket: TicketId,
    chat: ChatId,
    now: DateTime<Utc>,
) -> Result<transcript_post::Model, DbErr>
where
    C: ConnectionTrait,
{
    transcript_post::ActiveModel {
        ticket_id: Set(ticket),
        chat_id: Set(chat),
        state: Set(PENDING.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(c)
    .await
}

/// Jobs due at `now` and not held by a live claim, oldest first.
pub async fn due<C>(c: &C, now: DateTime<Utc>, limit: u64) -> Result<Vec<i64>, DbErr>
where
    C: ConnectionTrait,
{
    transcript_post::Entity::find()
        .select_only()
        .column(transcript_post::Column::Id)
        .filter(transcript_post::Column::State.eq(PENDING))
        .filter(transcript_post::Column::NextAttemptAt.lte(now))
        .filter(unclaimed(now))
        .order_by_asc(transcript_post::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(c)
        .await
}

fn unclaimed(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(transcript_post::Column::ClaimedUntil.is_null())
        .add(transcript_post::Column::ClaimedUntil.lt(now))
}

/// Claims job `id` for this worker; None when another has it or it is done. Counts the attempt.
pub async fn claim<C>(
    c: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Option<transcript_post::Model>, DbErr>
where
    C: ConnectionTrait,
{
    let updated = transcript_post::Entity::update_many()
        .col_expr(
            transcript_post::Column::ClaimedUntil,
            Expr::value(now + CLAIM),
        )
        .col_expr(
            transcript_post::Column::Attempts,
            Expr::col(transcript_post::Column::Attempts).add(1),
        )
        .filter(transcript_post::Column::Id.eq(id))
        .filter(transcript_post::Column::State.eq(PENDING))
        .filter(transcript_post::Column::NextAttemptAt.lte(now))
        .filter(unclaimed(now))
        .exec(c)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(None);
    }
    transcript_post::Entity::find_by_id(id).one(c).await
}

/// Records how an attempt ended: `state` (sent, failed, or pending again at `retry_at`) and why.
pub async fn finish<C>(
    c: &C,
    id: i64,
    state: &str,
    error: Option<&str>,
    retry_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    let error = error.map(|e| e.chars().take(500).collect::<String>());
    let sent_at = (state == SENT).then_some(now);
    transcript_post::Entity::update_many()
        .col_expr(transcript_post::Column::State, Expr::value(state))
        .col_expr(transcript_post::Column::LastError, Expr::value(error))
        .col_expr(
            transcript_post::Column::NextAttemptAt,
            Expr::value(retry_at),
        )
        .col_expr(
            transcript_post::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(transcript_post::Column::SentAt, Expr::value(sent_at))
        .filter(transcript_post::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

/// The jobs of `ticket`, oldest first (for tests and the operator).
pub async fn for_ticket<C>(c: &C, ticket: TicketId) -> Result<Vec<transcript_post::Model>, DbErr>
where
    C: ConnectionTrait,
{
    transcript_post::Entity::find()
        .filter(transcript_post::Column::TicketId.eq(ticket))
        .order_by_asc(transcript_post::Column::Id)
        .all(c)
        .await
}
