//! The ticket timeline: every state change with who made it and when; a closed ticket keeps its
//! closing comment.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    CloseComment,
}

#[derive(DeriveIden)]
enum TicketChanges {
    Table,
    Id,
    TicketId,
    Kind,
    ByAgentId,
    FromDepartmentId,
    ToDepartmentId,
    FromAgentId,
    ToAgentId,
    Reason,
    Note,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if !m.has_column("tickets", "close_comment").await? {
            m.alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .add_column(text_null(Tickets::CloseComment))
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(TicketChanges::Table)
                .if_not_exists()
                .col(big_pk_auto(TicketChanges::Id))
                .col(big_integer(TicketChanges::TicketId))
                .col(string_len(TicketChanges::Kind, 16))
                .col(big_integer_null(TicketChanges::ByAgentId))
                .col(big_integer_null(TicketChanges::FromDepartmentId))
                .col(big_integer_null(TicketChanges::ToDepartmentId))
                .col(big_integer_null(TicketChanges::FromAgentId))
                .col(big_integer_null(TicketChanges::ToAgentId))
                .col(string_len_null(TicketChanges::Reason, 16))
                .col(text_null(TicketChanges::Note))
                .col(timestamp_with_time_zone(TicketChanges::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_ticket_changes_ticket")
                .table(TicketChanges::Table)
                .col(TicketChanges::TicketId)
                .col(TicketChanges::Id)
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table(TicketChanges::Table)
                .if_exists()
                .to_owned(),
        )
        .await
    }
}
