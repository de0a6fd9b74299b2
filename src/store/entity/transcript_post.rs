use sea_orm::entity::prelude::*;

use crate::domain::{ChatId, TicketId};

/// A closed ticket's transcript to post to the staff chat: `pending` until Telegram takes it
/// (`sent`) or refuses it for good (`failed`); `claimed_until` keeps two instances from sending it
/// twice, `next_attempt_at` paces retries.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "transcript_posts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ticket_id: TicketId,
    pub chat_id: ChatId,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: ChronoDateTimeUtc,
    pub claimed_until: Option<ChronoDateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub sent_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
