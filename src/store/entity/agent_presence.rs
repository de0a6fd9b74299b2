use sea_orm::entity::prelude::*;

use crate::domain::AgentId;

/// One agent's consoles on one instance: the row exists while that instance holds at least one.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agent_presence")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub agent_id: AgentId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub instance: String,
    /// The instance's last heartbeat for this row.
    pub seen_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
