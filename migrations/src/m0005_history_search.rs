//! Indexes for the History view and a client's earlier tickets: closed tickets of a department
//! newest first, a client's tickets newest first (also the reopen lookup), and usernames found
//! without regard to case.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Status,
    DepartmentId,
    ClientId,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // History: `status = 'closed' AND department_id IN (..) ORDER BY id DESC`, `id < before`.
        m.create_index(
            Index::create()
                .name("idx_tickets_history")
                .table(Tickets::Table)
                .col(Tickets::Status)
                .col(Tickets::DepartmentId)
                .col(Tickets::Id)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        // A client's tickets newest first: the card's earlier tickets and the reopen lookup.
        m.create_index(
            Index::create()
                .name("idx_tickets_client_recent")
                .table(Tickets::Table)
                .col(Tickets::ClientId)
                .col(Tickets::Id)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        // Search by username, any case: `lower(username) = $1`.
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX IF NOT EXISTS idx_clients_username_lower ON clients (lower(username))",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in [
            ("idx_tickets_history", "tickets"),
            ("idx_tickets_client_recent", "tickets"),
            ("idx_clients_username_lower", "clients"),
        ] {
            m.drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
