use sea_orm::entity::prelude::*;

use crate::domain::AgentId;

/// One agent's alert settings; an agent without a row has the defaults
/// (`domain::AlertSettings::default`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agent_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub agent_id: AgentId,
    pub mute: bool,
    /// Percent, 0 to 100.
    pub volume: i32,
    /// Seconds; 0 is off.
    pub repeat_every_secs: i32,
    pub alert_on_customer_message: bool,
    pub desktop_notifications: bool,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
