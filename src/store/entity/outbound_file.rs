use sea_orm::entity::prelude::*;

use crate::domain::MessageId;

/// A file an agent uploaded for an outbound message: how it goes to Telegram (`photo` or
/// `document`), its name and size, and its bytes until Telegram has them (then None).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbound_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub message_id: MessageId,
    pub kind: String,
    pub file_name: String,
    pub size: i64,
    pub bytes: Option<Vec<u8>>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
