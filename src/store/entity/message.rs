use sea_orm::entity::prelude::*;

use crate::domain::{
    AgentId, AuthorKind, ChatId, DeliveryState, Direction, MessageId, TelegramMessageId, TicketId,
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: MessageId,
    pub ticket_id: TicketId,
    pub direction: Direction,
    pub author_kind: AuthorKind,
    pub author_agent_id: Option<AgentId>,
    pub text: String,
    pub telegram_chat_id: ChatId,
    pub telegram_message_id: Option<TelegramMessageId>,
    pub delivery: Option<DeliveryState>,
    pub delivery_error: Option<String>,
    pub delivery_claimed_at: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
    /// An inline keyboard (Bot API `reply_markup` JSON) sent with an outbound message.
    pub reply_markup: Option<String>,
    /// A customer message's media (`domain::Media` as JSON): the file's `file_id` and what is known
    /// about it, or a location, venue or contact.
    pub media: Option<String>,
    /// The album (Telegram's `media_group_id`) the message belongs to.
    pub media_group_id: Option<String>,
    /// The stored message this one replies to.
    pub reply_to_id: Option<MessageId>,
    /// When the customer last edited the message.
    pub edited_at: Option<ChronoDateTimeUtc>,
    /// The texts the message had before its edits (`[{text, replaced_at}]` as JSON), oldest first.
    pub earlier_texts: Option<String>,
    /// The customer message (our id, same ticket) an outbound message replies to.
    pub out_reply_to: Option<MessageId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Read markers on the message's ticket (join them for one agent to count unread messages).
    #[sea_orm(
        belongs_to = "super::read_marker::Entity",
        from = "Column::TicketId",
        to = "super::read_marker::Column::TicketId"
    )]
    Marker,
}

impl ActiveModelBehavior for ActiveModel {}
