use sea_orm::entity::prelude::*;

use crate::domain::DepartmentId;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "departments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: DepartmentId,
    pub name: String,
    /// What customers see on the routing button.
    pub label: String,
    /// The deep-link name (`/start <slug>`).
    pub slug: String,
    /// Whether customers may choose it.
    pub open: bool,
    /// Order of the buttons and lists.
    pub position: i32,
    pub created_at: ChronoDateTimeUtc,
    /// Appended to agents' text replies in this department, when set.
    pub signature: Option<String>,
    /// Archived: takes no new tickets and is not offered to customers; its history stays.
    pub archived: bool,
    /// What the bot sends a customer whose ticket lands here, when set.
    pub greeting: Option<String>,
    /// Whether new tickets sound the alert in consoles: `sound` or `silent`.
    pub alert: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
