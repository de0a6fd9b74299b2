//! Every inbound kind: a customer message's media (kept as Telegram's `file_id` with what is known
//! about it, as JSON), its album (`media_group_id`), the message it replies to, and its edits
//! (when it was last edited and the texts it had before).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Messages {
    Table,
    TelegramChatId,
    TelegramMessageId,
    Media,
    MediaGroupId,
    ReplyToId,
    EditedAt,
    EarlierTexts,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        let columns = [
            ("media", text_null(Messages::Media)),
            (
                "media_group_id",
                string_len_null(Messages::MediaGroupId, 64),
            ),
            ("reply_to_id", big_integer_null(Messages::ReplyToId)),
            (
                "edited_at",
                timestamp_with_time_zone_null(Messages::EditedAt),
            ),
            ("earlier_texts", text_null(Messages::EarlierTexts)),
        ];
        for (name, column) in columns {
            if !m.has_column("messages", name).await? {
                m.alter_table(
                    Table::alter()
                        .table(Messages::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
            }
        }
        // Edits and replies find a message by its chat and Telegram id.
        m.create_index(
            Index::create()
                .name("idx_messages_telegram_id")
                .table(Messages::Table)
                .col(Messages::TelegramChatId)
                .col(Messages::TelegramMessageId)
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_messages_telegram_id")
                .table(Messages::Table)
                .to_owned(),
        )
        .await?;
        for column in [
            Messages::Media,
            Messages::MediaGroupId,
            Messages::ReplyToId,
            Messages::EditedAt,
            Messages::EarlierTexts,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
