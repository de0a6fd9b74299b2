//! Outbound from agents: the files agents upload (kept until Telegram has them, so the outbox can
//! send after a restart), the customer message a reply quotes, and a per-department signature.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OutboundFiles {
    Table,
    MessageId,
    Kind,
    FileName,
    Size,
    Bytes,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    OutReplyTo,
}

#[derive(DeriveIden)]
enum Departments {
    Table,
    Signature,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(OutboundFiles::Table)
                .if_not_exists()
                .col(big_integer(OutboundFiles::MessageId).primary_key())
                .col(string_len(OutboundFiles::Kind, 16))
                .col(string_len(OutboundFiles::FileName, 255))
                .col(big_integer(OutboundFiles::Size))
                .col(blob_null(OutboundFiles::Bytes))
                .col(timestamp_with_time_zone(OutboundFiles::CreatedAt))
                .to_owned(),
        )
        .await?;
        if !m.has_column("messages", "out_reply_to").await? {
            m.alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(big_integer_null(Messages::OutReplyTo))
                    .to_owned(),
            )
            .await?;
        }
        if !m.has_column("departments", "signature").await? {
            m.alter_table(
                Table::alter()
                    .table(Departments::Table)
                    .add_column(text_null(Departments::Signature))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Departments::Table)
                .drop_column(Departments::Signature)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Messages::Table)
                .drop_column(Messages::OutReplyTo)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(OutboundFiles::Table).to_owned())
            .await
    }
}
