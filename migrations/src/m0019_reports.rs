//! Reports: tickets by the day they were created and by the day they were closed, so that a
//! report over a range reads only that range's tickets (`store::reports`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tickets {
    Table,
    CreatedAt,
    ClosedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("idx_tickets_created_at")
                .table(Tickets::Table)
                .col(Tickets::CreatedAt)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_tickets_closed_at")
                .table(Tickets::Table)
                .col(Tickets::ClosedAt)
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_tickets_closed_at")
                .table(Tickets::Table)
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name("idx_tickets_created_at")
                .table(Tickets::Table)
                .to_owned(),
        )
        .await
    }
}
