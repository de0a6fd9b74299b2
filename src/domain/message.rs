//! Messages: which way they travel, who wrote them, how their delivery to Telegram stands.

use sea_orm::{DeriveActiveEnum, EnumIter, sea_query::StringLen};

use super::{AgentId, Invariant, MessageId};

/// Which way a message travels.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    EnumIter,
    DeriveActiveEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// From the customer.
    #[sea_orm(string_value = "in")]
    In,
    /// To the customer.
    #[sea_orm(string_value = "out")]
    Out,
}

/// What kind of author wrote a message, as stored and shown.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    EnumIter,
    DeriveActiveEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "lowercase")]
pub enum AuthorKind {
    #[sea_orm(string_value = "customer")]
    Customer,
    #[sea_orm(string_value = "agent")]
    Agent,
    /// Switchboard itself (acknowledgements and other bot texts).
    #[sea_orm(string_value = "system")]
    System,
}

/// Who wrote a message: an agent's message always names the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Customer,
    Agent(AgentId),
    System,
}

impl Author {
    /// The author stored as a kind and an optional agent; an agent's message without its agent
    /// is a broken row.
    pub fn from_columns(
        message: MessageId,
        kind: AuthorKind,
        agent: Option<AgentId>,
    ) -> Result<Self, Invariant> {
        match (kind, agent) {
            (AuthorKind::Customer, _) => Ok(Self::Customer),
            (AuthorKind::System, _) => Ok(Self::System),
            (AuthorKind::Agent, Some(id)) => Ok(Self::Agent(id)),
            (AuthorKind::Agent, None) => Err(Invariant::new(format!(
                "message {message} is an agent's without its agent"
            ))),
        }
    }

    /// The kind column's value.
    pub fn kind(self) -> AuthorKind {
        match self {
            Self::Customer => AuthorKind::Customer,
            Self::Agent(_) => AuthorKind::Agent,
            Self::System => AuthorKind::System,
        }
    }

    /// The agent column's value.
    pub fn agent(self) -> Option<AgentId> {
        match self {
            Self::Agent(id) => Some(id),
            Self::Customer | Self::System => None,
        }
    }
}

/// Where an outbound message is on its way to Telegram.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    EnumIter,
    DeriveActiveEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Stored, waiting in the outbox.
    #[sea_orm(string_value = "queued")]
    Queued,
    /// Claimed by a sender that is talking to Telegram.
    #[sea_orm(string_value = "sending")]
    Sending,
    /// Telegram took it.
    #[sea_orm(string_value = "sent")]
    Sent,
    /// It can never be delivered; the reason is kept.
    #[sea_orm(string_value = "failed")]
    Failed,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agents_message_without_its_agent_cannot_be_built() {
        assert!(Author::from_columns(MessageId(1), AuthorKind::Agent, None).is_err());
        for author in [Author::Customer, Author::Agent(AgentId(4)), Author::System] {
            assert_eq!(
                Author::from_columns(MessageId(1), author.kind(), author.agent()),
                Ok(author)
            );
        }
    }

    #[test]
    fn states_serialize_as_their_stored_names() {
        use sea_orm::ActiveEnum;
        for state in [
            DeliveryState::Queued,
            DeliveryState::Sending,
            DeliveryState::Sent,
            DeliveryState::Failed,
        ] {
            assert_eq!(
                serde_json::to_value(state).unwrap(),
                serde_json::Value::String(state.to_value())
            );
        }
        assert_eq!(serde_json::to_value(Direction::In).unwrap(), "in");
        assert_eq!(serde_json::to_value(AuthorKind::System).unwrap(), "system");
    }
}
