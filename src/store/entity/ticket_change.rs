use sea_orm::entity::prelude::*;

use crate::domain::{AgentId, ChangeId, ChangeKind, CloseReason, DepartmentId, TicketId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ticket_changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: ChangeId,
    pub ticket_id: TicketId,
    pub kind: ChangeKind,
    pub by_agent_id: Option<AgentId>,
    pub from_department_id: Option<DepartmentId>,
    pub to_department_id: Option<DepartmentId>,
    pub from_agent_id: Option<AgentId>,
    pub to_agent_id: Option<AgentId>,
    pub reason: Option<CloseReason>,
    pub note: Option<String>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
