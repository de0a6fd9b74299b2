//! Administration: departments can be archived and carry a greeting and an alert behaviour; the
//! operator's bot text overrides live in the database; every administrative change leaves an
//! audit row (who, when, what, on what, and a JSON of what changed).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Departments {
    Table,
    Archived,
    Greeting,
    Alert,
}

#[derive(DeriveIden)]
enum BotTextOverrides {
    Table,
    Language,
    Key,
    Template,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorId,
    ActorName,
    Action,
    Target,
    Details,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        m.alter_table(
            Table::alter()
                .table(Departments::Table)
                .add_column(boolean(Departments::Archived).default(false))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Departments::Table)
                .add_column(text_null(Departments::Greeting))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Departments::Table)
                .add_column(string_len(Departments::Alert, 16).default("sound"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BotTextOverrides::Table)
                .if_not_exists()
                .col(string_len(BotTextOverrides::Language, 16))
                .col(string_len(BotTextOverrides::Key, 64))
                .col(text(BotTextOverrides::Template))
                .col(timestamp_with_time_zone(BotTextOverrides::UpdatedAt))
                .primary_key(
                    Index::create()
                        .col(BotTextOverrides::Language)
                        .col(BotTextOverrides::Key),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .if_not_exists()
                .col(big_pk_auto(AuditLog::Id))
                .col(timestamp_with_time_zone(AuditLog::At))
                // No foreign key: the trail outlives what it names. None for the command line.
                .col(big_integer_null(AuditLog::ActorId))
                .col(string_len(AuditLog::ActorName, 200))
                .col(string_len(AuditLog::Action, 64))
                .col(string_len(AuditLog::Target, 200))
                .col(text(AuditLog::Details))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(BotTextOverrides::Table).to_owned())
            .await?;
        for column in [
            Departments::Alert,
            Departments::Greeting,
            Departments::Archived,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Departments::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
