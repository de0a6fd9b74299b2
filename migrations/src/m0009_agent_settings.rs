//! Alert settings per agent (mute, volume, repeat interval, customer-message alerts, desktop
//! notifications), kept on the server so that they follow the agent to any browser. An agent
//! without a row has the defaults.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AgentSettings {
    Table,
    AgentId,
    Mute,
    Volume,
    RepeatEverySecs,
    AlertOnCustomerMessage,
    DesktopNotifications,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Agents {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AgentSettings::Table)
                .if_not_exists()
                .col(big_integer(AgentSettings::AgentId).primary_key())
                .col(boolean(AgentSettings::Mute).default(false))
                .col(integer(AgentSettings::Volume))
                .col(integer(AgentSettings::RepeatEverySecs))
                .col(boolean(AgentSettings::AlertOnCustomerMessage).default(false))
                .col(boolean(AgentSettings::DesktopNotifications).default(false))
                .col(timestamp_with_time_zone(AgentSettings::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_agent_settings_agent")
                        .from(AgentSettings::Table, AgentSettings::AgentId)
                        .to(Agents::Table, Agents::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AgentSettings::Table).to_owned())
            .await
    }
}
