//! Messages of a ticket's conversation, and the outbox of those still to deliver to Telegram.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, sea_query::Expr,
};

use super::{
    entity::message,
    message_edits::{earlier_texts_of, media_of},
    tickets::invariant,
};
use crate::{
    domain::{
        Author, ChatId, DeliveryState, Direction, Media, MessageId, TelegramMessageId, TicketId,
    },
    views::{AuthorView, MessageView, OutFileView, QuotedView},
};

/// What it takes to store a message.
pub struct NewMessage<'a> {
    pub ticket_id: TicketId,
    pub direction: Direction,
    pub author: Author,
    pub text: &'a str,
    pub telegram_chat_id: ChatId,
    pub telegram_message_id: Option<TelegramMessageId>,
    pub created_at: DateTime<Utc>,
    /// An inline keyboard to send with an outbound message (Bot API `reply_markup` JSON).
    pub reply_markup: Option<String>,
    /// A customer message's media.
    pub media: Option<Media>,
    /// The album a customer message belongs to.
    pub media_group_id: Option<String>,
    /// The stored message a customer message replies to.
    pub reply_to_id: Option<MessageId>,
    /// The customer message (our id, same ticket) an outbound message replies to.
    pub out_reply_to: Option<MessageId>,
}

impl<'a> NewMessage<'a> {
    /// A customer's message as it arrived from Telegram.
    pub fn inbound(
        ticket_id: TicketId,
        chat_id: ChatId,
        telegram_message_id: TelegramMessageId,
        text: &'a str,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            ticket_id,
            direction: Direction::In,
            author: Author::Customer,
            text,
            telegram_chat_id: chat_id,
            telegram_message_id: Some(telegram_message_id),
            created_at: at,
            reply_markup: None,
            media: None,
            media_group_id: None,
            reply_to_id: None,
            out_reply_to: None,
        }
    }

    /// A message to the customer, by an agent or by Switchboard itself.
    pub fn outbound(
        ticket_id: TicketId,
        author: Author,
        chat_id: ChatId,
        text: &'a str,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            ticket_id,
            direction: Direction::Out,
            author,
            text,
            telegram_chat_id: chat_id,
            telegram_message_id: None,
            created_at: at,
            reply_markup: None,
            media: None,
            media_group_id: None,
            reply_to_id: None,
            out_reply_to: None,
        }
    }
}

/// Stores a message; outbound ones enter the outbox as queued.
pub async fn insert<C>(c: &C, new: NewMessage<'_>) -> Result<message::Model, DbErr>
where
    C: ConnectionTrait,
{
    row_of(new)?.insert(c).await
}

/// The row a new message becomes.
fn row_of(new: NewMessage<'_>) -> Result<message::ActiveModel, DbErr> {
    Ok(message::ActiveModel {
        ticket_id: Set(new.ticket_id),
        direction: Set(new.direction),
        author_kind: Set(new.author.kind()),
        author_agent_id: Set(new.author.agent()),
        text: Set(new.text.to_owned()),
        telegram_chat_id: Set(new.telegram_chat_id),
        telegram_message_id: Set(new.telegram_message_id),
        delivery: Set((new.direction == Direction::Out).then_some(DeliveryState::Queued)),
        delivery_error: Set(None),
        delivery_claimed_at: Set(None),
        created_at: Set(new.created_at),
        reply_markup: Set(new.reply_markup),
        media: Set(new
            .media
            .map(|media| serde_json::to_string(&media))
            .transpose()
            .map_err(|e| DbErr::Custom(format!("encoding media: {e}")))?),
        media_group_id: Set(new.media_group_id),
        reply_to_id: Set(new.reply_to_id),
        edited_at: Set(None),
        earlier_texts: Set(None),
        out_reply_to: Set(new.out_reply_to),
        ..Default::default()
    })
}

/// Stores several messages in multi-row inserts; the rows in the order of `new`.
pub async fn insert_many<C>(c: &C, new: Vec<NewMessage<'_>>) -> Result<Vec<message::Model>, DbErr>
where
    C: ConnectionTrait,
{
    let mut stored = Vec::with_capacity(new.len());
    let mut new = new.into_iter().peekable();
    while new.peek().is_some() {
        let chunk: Vec<NewMessage<'_>> = new.by_ref().take(INSERT_CHUNK).collect();
        let expected: Vec<(TicketId, Direction)> =
            chunk.iter().map(|m| (m.ticket_id, m.direction)).collect();
        let rows = chunk
            .into_iter()
            .map(row_of)
            .collect::<Result<Vec<_>, DbErr>>()?;
        let mut inserted = message::Entity::insert_many(rows)
            .exec_with_returning(c)
            .await?;
        // Ids are handed out in the order of the VALUES rows.
        inserted.sort_by_key(|row| row.id);
        let in_order = inserted.len() == expected.len()
            && inserted
                .iter()
                .zip(&expected)
                .all(|(row, (ticket, direction))| {
                    row.ticket_id == *ticket && row.direction == *direction
                });
        if !in_order {
            return Err(invariant(crate::domain::Invariant::new(
                "a multi-row insert of messages returned other rows than it was given".to_owned(),
            )));
        }
        stored.extend(inserted);
    }
    Ok(stored)
}

/// How many messages one multi-row insert writes at most.
const INSERT_CHUNK: usize = 500;

/// The console's views of messages just stored that quote nothing, carry no outbound file and
/// are not an agent's (a customer's or Switchboard's): built without reading.
pub fn views_of_new(
    messages: Vec<message::Model>,
    customer_name: &str,
) -> Result<Vec<MessageView>, DbErr> {
    messages
        .into_iter()
        .map(|m| {
            let author =
                Author::from_columns(m.id, m.author_kind, m.author_agent_id).map_err(invariant)?;
            let name = match author {
                Author::Customer => customer_name.to_owned(),
                Author::System => "Switchboard".to_owned(),
                Author::Agent(id) => {
                    return Err(invariant(crate::domain::Invariant::new(format!(
                        "message {}: agent {id} in a view built without reading",
                        m.id
                    ))));
                }
            };
            Ok(MessageView {
                id: m.id,
                ticket_id: m.ticket_id,
                direction: m.direction,
                author: AuthorView {
                    kind: author.kind(),
                    id: author.agent(),
                    name,
                },
                media: media_of(&m),
                earlier_texts: earlier_texts_of(&m),
                text: m.text,
                created_at: m.created_at,
                delivery: m.delivery,
                delivery_error: m.delivery_error,
                media_group_id: m.media_group_id,
                reply_to: None,
                edited_at: m.edited_at,
                out_reply_to: m.out_reply_to,
                out_file: None,
            })
        })
        .collect()
}

/// Finds a message by id.
pub async fn find<C>(c: &C, id: MessageId) -> Result<Option<message::Model>, DbErr>
where
    C: ConnectionTrait,
{
    message::Entity::find_by_id(id).one(c).await
}

/// Messages a page holds when the client names no `limit`.
pub const DEFAULT_MESSAGE_PAGE: u64 = 50;
/// The most messages one page may hold.
pub const MAX_MESSAGE_PAGE: u64 = 200;

/// One page of a ticket's conversation: the newest `limit` messages older than `before` (all
/// when None).
#[derive(Debug, Clone, Copy)]
pub struct MessagePage {
    pub limit: u64,
    pub before: Option<MessageId>,
}

/// A page of a ticket's conversation, oldest first, and the cursor of the page before it (None
/// when this page reaches the first message).
pub async fn page<C>(
    c: &C,
    ticket_id: TicketId,
    page: MessagePage,
) -> Result<(Vec<message::Model>, Option<MessageId>), DbErr>
where
    C: ConnectionTrait,
{
    let mut query = message::Entity::find().filter(message::Column::TicketId.eq(ticket_id));
    if let Some(before) = page.before {
        query = query.filter(message::Column::Id.lt(before));
    }
    let mut rows = query
        .order_by_desc(message::Column::Id)
        .limit(page.limit + 1)
        .all(c)
        .await?;
    let more = rows.len() as u64 > page.limit;
    rows.truncate(page.limit as usize);
    rows.reverse();
    let next_before = if more {
        rows.first().map(|m| m.id)
    } else {
        None
    };
    Ok((rows, next_before))
}

/// Up to `limit` messages of a ticket after message `after` (from the first when None), oldest
/// first: how a whole conversation is read a page at a time (transcripts).
pub async fn after<C>(
    c: &C,
    ticket_id: TicketId,
    after: Option<MessageId>,
    limit: u64,
) -> Result<Vec<message::Model>, DbErr>
where
    C: ConnectionTrait,
{
    let mut query = message::Entity::find().filter(message::Column::TicketId.eq(ticket_id));
    if let Some(after) = after {
        query = query.filter(message::Column::Id.gt(after));
    }
    query
        .order_by_asc(message::Column::Id)
        .limit(limit)
        .all(c)
        .await
}

/// How long a claimed message may stay `sending` before another worker takes it over. Far longer
/// than one Bot API request may take.
pub const STALE_CLAIM: chrono::Duration = chrono::Duration::minutes(2);

/// Puts a message being sent back in the queue (Telegram asked us to wait, or was unreachable),
/// with a note saying why for the operator.
pub async fn requeue<C>(c: &C, id: MessageId, note: &str) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    set_delivery(
        c,
        id,
        DeliveryState::Sending,
        DeliveryState::Queued,
        Some(note),
        None,
    )
    .await
}

/// Records that Telegram accepted the message.
pub async fn mark_sent<C>(
    c: &C,
    id: MessageId,
    telegram_message_id: TelegramMessageId,
) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    set_delivery(
        c,
        id,
        DeliveryState::Sending,
        DeliveryState::Sent,
        None,
        Some(telegram_message_id),
    )
    .await
}

/// Records that the message cannot be delivered, and why, for the operator to see.
pub async fn mark_failed<C>(c: &C, id: MessageId, reason: &str) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    set_delivery(
        c,
        id,
        DeliveryState::Sending,
        DeliveryState::Failed,
        Some(reason),
        None,
    )
    .await
}

async fn set_delivery<C>(
    c: &C,
    id: MessageId,
    from: DeliveryState,
    to: DeliveryState,
    error: Option<&str>,
    telegram_message_id: Option<TelegramMessageId>,
) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let mut update = message::Entity::update_many()
        .col_expr(message::Column::Delivery, Expr::value(to))
        .col_expr(
            message::Column::DeliveryError,
            Expr::value(error.map(str::to_owned)),
        );
    if let Some(tg_id) = telegram_message_id {
        update = update.col_expr(message::Column::TelegramMessageId, Expr::value(tg_id));
    }
    let result = update
        .filter(message::Column::Id.eq(id))
        .filter(message::Column::Delivery.eq(from))
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Messages as the console shows them, with their authors' names.
pub async fn views<C>(
    c: &C,
    messages: Vec<message::Model>,
    customer_name: &str,
) -> Result<Vec<MessageView>, DbErr>
where
    C: ConnectionTrait,
{
    let quoted_ids: Vec<MessageId> = messages.iter().filter_map(|m| m.reply_to_id).collect();
    let quoted = if quoted_ids.is_empty() {
        Vec::new()
    } else {
        message::Entity::find()
            .filter(message::Column::Id.is_in(quoted_ids))
            .all(c)
            .await?
    };
    let names = super::agents::names(
        c,
        messages
            .iter()
            .chain(&quoted)
            .filter_map(|m| m.author_agent_id)
            .collect(),
    )
    .await?;
    let name_of = |m: &message::Model| -> Result<(Author, String), DbErr> {
        let author =
            Author::from_columns(m.id, m.author_kind, m.author_agent_id).map_err(invariant)?;
        let name = match author {
            Author::Customer => customer_name.to_owned(),
            Author::Agent(id) => names.get(&id).cloned().unwrap_or_default(),
            Author::System => "Switchboard".to_owned(),
        };
        Ok((author, name))
    };
    let quoted: std::collections::HashMap<MessageId, QuotedView> = quoted
        .iter()
        .map(|q| {
            Ok((
                q.id,
                QuotedView {
                    id: q.id,
                    author_name: name_of(q)?.1,
                    text: q.text.chars().take(QUOTE_CHARS).collect(),
                    media_kind: media_of(q).and_then(|media| media.kind),
                },
            ))
        })
        .collect::<Result<_, DbErr>>()?;
    let outbound: Vec<MessageId> = messages
        .iter()
        .filter(|m| m.direction == Direction::Out)
        .map(|m| m.id)
        .collect();
    let mut files = super::outbound_files::of_messages(c, outbound).await?;
    messages
        .into_iter()
        .map(|m| {
            let (author, name) = name_of(&m)?;
            let media = media_of(&m);
            let earlier_texts = earlier_texts_of(&m);
            Ok(MessageView {
                id: m.id,
                ticket_id: m.ticket_id,
                direction: m.direction,
                author: AuthorView {
                    kind: author.kind(),
                    id: author.agent(),
                    name,
                },
                text: m.text,
                created_at: m.created_at,
                delivery: m.delivery,
                delivery_error: m.delivery_error,
                media,
                media_group_id: m.media_group_id,
                reply_to: m.reply_to_id.and_then(|id| quoted.get(&id).cloned()),
                edited_at: m.edited_at,
                earlier_texts,
                out_reply_to: m.out_reply_to,
                out_file: files.remove(&m.id).map(|f| OutFileView {
                    kind: f.kind,
                    name: f.file_name,
                    size: f.size,
                }),
            })
        })
        .collect()
}

/// Fails every message queued for `chat` with `reason` (the customer cannot be reached, so no
/// retry would help); returns the ids of the messages failed.
pub async fn fail_queued_for_chat<C>(
    c: &C,
    chat: crate::domain::ChatId,
    reason: &str,
) -> Result<Vec<MessageId>, DbErr>
where
    C: ConnectionTrait,
{
    let ids: Vec<MessageId> = message::Entity::find()
        .select_only()
        .column(message::Column::Id)
        .filter(message::Column::TelegramChatId.eq(chat))
        .filter(message::Column::Delivery.eq(DeliveryState::Queued))
        .order_by_asc(message::Column::Id)
        .into_tuple::<MessageId>()
        .all(c)
        .await?;
    let mut failed = Vec::with_capacity(ids.len());
    for id in ids {
        if set_delivery(
            c,
            id,
            DeliveryState::Queued,
            DeliveryState::Failed,
            Some(reason),
            None,
        )
        .await?
        {
            failed.push(id);
        }
    }
    Ok(failed)
}
/// How much of a quoted message's text a reply shows, in characters.
const QUOTE_CHARS: usize = 200;
