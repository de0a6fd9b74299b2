//! Fast hands: per-agent read markers (unread counts), the time a ticket started waiting for a
//! reply, and canned responses per department.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
    AwaitingReplySince,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    TicketId,
    Direction,
    Id,
}

#[derive(DeriveIden)]
enum Agents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Departments {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ReadMarkers {
    Table,
    AgentId,
    TicketId,
    MessageId,
}

#[derive(DeriveIden)]
enum CannedResponses {
    Table,
    Id,
    DepartmentId,
    Shortcut,
    Title,
    Text,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Tickets::Table)
                .add_column(timestamp_with_time_zone_null(Tickets::AwaitingReplySince))
                .to_owned(),
        )
        .await?;
        // Unread counts: the inbound messages of a page of tickets after each one's marker.
        m.create_index(
            Index::create()
                .name("idx_messages_ticket_direction")
                .table(Messages::Table)
                .col(Messages::TicketId)
                .col(Messages::Direction)
                .col(Messages::Id)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ReadMarkers::Table)
                .if_not_exists()
                .col(big_integer(ReadMarkers::AgentId))
                .col(big_integer(ReadMarkers::TicketId))
                .col(big_integer(ReadMarkers::MessageId))
                .primary_key(
                    Index::create()
                        .col(ReadMarkers::AgentId)
                        .col(ReadMarkers::TicketId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ReadMarkers::Table, ReadMarkers::AgentId)
                        .to(Agents::Table, Agents::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ReadMarkers::Table, ReadMarkers::TicketId)
                        .to(Tickets::Table, Tickets::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CannedResponses::Table)
                .if_not_exists()
                .col(big_pk_auto(CannedResponses::Id))
                .col(big_integer(CannedResponses::DepartmentId))
                .col(string_len(CannedResponses::Shortcut, 32))
                .col(string_len(CannedResponses::Title, 200))
                .col(text(CannedResponses::Text))
                .col(timestamp_with_time_zone(CannedResponses::CreatedAt))
                .col(timestamp_with_time_zone(CannedResponses::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(CannedResponses::Table, CannedResponses::DepartmentId)
                        .to(Departments::Table, Departments::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_canned_responses_department_shortcut")
                .table(CannedResponses::Table)
                .col(CannedResponses::DepartmentId)
                .col(CannedResponses::Shortcut)
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CannedResponses::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(ReadMarkers::Table).to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("idx_messages_ticket_direction")
                .table(Messages::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tickets::Table)
                .drop_column(Tickets::AwaitingReplySince)
                .to_owned(),
        )
        .await
    }
}
