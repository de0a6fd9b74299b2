use sea_orm::entity::prelude::*;

use crate::domain::{AgentId, MessageId, TicketId};

/// The last message of a ticket an agent has seen.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "read_markers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub agent_id: AgentId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub ticket_id: TicketId,
    pub message_id: MessageId,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
