//! A ticket remembers who handled it last (kept through return, close and reopen) and, when it was
//! opened after the reopen window, the earlier ticket it follows.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    LastOwnerId,
    PreviousTicketId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, column) in [
            ("last_owner_id", Tickets::LastOwnerId),
            ("previous_ticket_id", Tickets::PreviousTicketId),
        ] {
            if !m.has_column("tickets", name).await? {
                m.alter_table(
                    Table::alter()
                        .table(Tickets::Table)
                        .add_column(big_integer_null(column))
                        .to_owned(),
                )
                .await?;
            }
        }
        // Closed tickets keep their owner column; that is who handled them last.
        m.get_connection()
            .execute_unprepared(
                "UPDATE tickets SET last_owner_id = owner_id WHERE last_owner_id IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [Tickets::LastOwnerId, Tickets::PreviousTicketId] {
            m.alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
