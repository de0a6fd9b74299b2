use sea_orm::entity::prelude::*;

use crate::domain::{DeadLetterId, UpdateId};

/// A Telegram update that could not be processed for a reason that will not go away: its id
/// (None when even that was unreadable), its raw JSON (cut to a bounded size) and the error.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dead_letters")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: DeadLetterId,
    pub update_id: Option<UpdateId>,
    pub raw: String,
    pub error: String,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
