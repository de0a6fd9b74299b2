use sea_orm::entity::prelude::*;

use crate::domain::{AgentId, ClientId, NoteId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "client_notes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: NoteId,
    pub client_id: ClientId,
    pub author_agent_id: AgentId,
    pub text: String,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
