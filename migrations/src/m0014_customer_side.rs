//! The customer's side: a client who blocked the bot is marked unreachable (when and why), and a
//! client may hold several open tickets (`/new`), each in its own slot: the database still refuses
//! two open tickets in one slot, so racing plain messages never open a duplicate.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Clients {
    Table,
    UnreachableSince,
    UnreachableReason,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    OpenSlot,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Clients::Table)
                .add_column(timestamp_with_time_zone_null(Clients::UnreachableSince))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Clients::Table)
                .add_column(string_len_null(Clients::UnreachableReason, 500))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tickets::Table)
                .add_column(integer(Tickets::OpenSlot).default(0))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS uq_tickets_open_client")
            .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX IF NOT EXISTS uq_tickets_open_client_slot \
             ON tickets (client_id, open_slot) WHERE status <> 'closed'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS uq_tickets_open_client_slot")
            .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX IF NOT EXISTS uq_tickets_open_client \
             ON tickets (client_id) WHERE status <> 'closed'",
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tickets::Table)
                .drop_column(Tickets::OpenSlot)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Clients::Table)
                .drop_column(Clients::UnreachableReason)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Clients::Table)
                .drop_column(Clients::UnreachableSince)
                .to_owned(),
        )
        .await
    }
}
