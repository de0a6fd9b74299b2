use sea_orm::entity::prelude::*;

use crate::domain::{AgentId, Role};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: AgentId,
    pub login: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub active: bool,
    /// The agent said they are away (kept across reconnects).
    pub away: bool,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
