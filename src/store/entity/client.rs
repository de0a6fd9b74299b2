use sea_orm::entity::prelude::*;

use crate::domain::{ClientId, Priority, TelegramUserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "clients")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: ClientId,
    pub telegram_id: TelegramUserId,
    pub username: Option<String>,
    pub name: String,
    pub language: Option<String>,
    /// Since when the customer cannot be reached (they blocked the bot); None while they can.
    pub unreachable_since: Option<ChronoDateTimeUtc>,
    /// Why the customer cannot be reached, in words for the agent.
    pub unreachable_reason: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
    /// Their tickets' priority at least.
    pub priority: Priority,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
