use sea_orm::entity::prelude::*;

use crate::domain::{DepartmentId, EventSeq, TicketId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: EventSeq,
    pub kind: String,
    pub department_id: DepartmentId,
    pub ticket_id: Option<TicketId>,
    /// Consoles that see this department do not get the event (a removal's destination).
    pub hidden_from: Option<DepartmentId>,
    pub payload: String,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
