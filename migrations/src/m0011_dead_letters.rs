//! Dead letters: Telegram updates that could not be processed for a reason that will not go away
//! (an unreadable shape, a value the database refuses), kept for the admins with the error, so
//! that the updates behind them flow.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DeadLetters {
    Table,
    Id,
    UpdateId,
    Raw,
    Error,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DeadLetters::Table)
                .if_not_exists()
                .col(big_pk_auto(DeadLetters::Id))
                .col(big_integer_null(DeadLetters::UpdateId))
                .col(text(DeadLetters::Raw))
                .col(string_len(DeadLetters::Error, 1000))
                .col(timestamp_with_time_zone(DeadLetters::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_dead_letters_created_at")
                .table(DeadLetters::Table)
                .col(DeadLetters::CreatedAt)
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DeadLetters::Table).to_owned())
            .await
    }
}
