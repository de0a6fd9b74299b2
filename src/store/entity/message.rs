use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ticket_id: i64,
    pub direction: String,
    pub author_kind: String,
    pub author_agent_id: Option<i64>,
    pub text: String,
    pub telegram_chat_id: i64,
    pub telegram_message_id: Option<i64>,
    pub delivery: Option<String>,
    pub delivery_error: Option<String>,
    pub delivery_claimed_at: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
