use sea_orm::entity::prelude::*;

use crate::domain::{AgentId, ClientId, DepartmentId, TicketId};

/// A closed ticket's rating: asked when it closed (`created_at`, the `token` its star buttons
/// carry), answered when the customer pressed a star (`stars`, `rated_at`), and their comment;
/// `comment_until` is when their next message stops counting as the comment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ratings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub ticket_id: TicketId,
    pub client_id: ClientId,
    /// Who owned the ticket when it closed.
    pub agent_id: Option<AgentId>,
    pub department_id: DepartmentId,
    pub token: String,
    pub stars: Option<i16>,
    pub comment: Option<String>,
    pub comment_until: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
    pub rated_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
