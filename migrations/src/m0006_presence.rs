//! Presence: which instance holds consoles of which agent (one row per agent and instance,
//! refreshed by that instance's heartbeat), and the away flag an agent sets for themselves.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AgentPresence {
    Table,
    AgentId,
    Instance,
    SeenAt,
}

#[derive(DeriveIden)]
enum Agents {
    Table,
    Id,
    Away,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AgentPresence::Table)
                .if_not_exists()
                .col(big_integer(AgentPresence::AgentId))
                .col(string_len(AgentPresence::Instance, 64))
                .col(timestamp_with_time_zone(AgentPresence::SeenAt))
                .primary_key(
                    Index::create()
                        .col(AgentPresence::AgentId)
                        .col(AgentPresence::Instance),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_agent_presence_agent")
                        .from(AgentPresence::Table, AgentPresence::AgentId)
                        .to(Agents::Table, Agents::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_agent_presence_seen_at")
                .table(AgentPresence::Table)
                .col(AgentPresence::SeenAt)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        if !m.has_column("agents", "away").await? {
            m.alter_table(
                Table::alter()
                    .table(Agents::Table)
                    .add_column(boolean(Agents::Away).default(false))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Agents::Table)
                .drop_column(Agents::Away)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(AgentPresence::Table).to_owned())
            .await
    }
}
