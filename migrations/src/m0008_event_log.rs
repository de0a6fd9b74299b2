//! The event log as consoles resume from it: each event says which department's consoles must
//! not get it (`hidden_from`, so readers need not parse the payload), and a one-row table keeps
//! the highest seq the pruner has deleted (a console that resumes from before it must reload).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Events {
    Table,
    HiddenFrom,
}

#[derive(DeriveIden)]
enum EventWatermark {
    Table,
    Id,
    PrunedThrough,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if !m.has_column("events", "hidden_from").await? {
            m.alter_table(
                Table::alter()
                    .table(Events::Table)
                    .add_column(big_integer_null(Events::HiddenFrom))
                    .to_owned(),
            )
            .await?;
            // Removals written before this column existed name the department in their payload.
            let backfill = match m.get_database_backend() {
                DatabaseBackend::Postgres => {
                    "UPDATE events SET hidden_from = (payload::json->>'department_id')::bigint \
                     WHERE kind = 'ticket.removed'"
                }
                _ => {
                    "UPDATE events SET hidden_from = json_extract(payload, '$.department_id') \
                     WHERE kind = 'ticket.removed'"
                }
            };
            m.get_connection().execute_unprepared(backfill).await?;
        }
        m.create_table(
            Table::create()
                .table(EventWatermark::Table)
                .if_not_exists()
                .col(integer(EventWatermark::Id).primary_key())
                .col(big_integer(EventWatermark::PrunedThrough).default(0))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(EventWatermark::Table)
                .columns([EventWatermark::Id, EventWatermark::PrunedThrough])
                .values_panic([1.into(), 0.into()])
                .on_conflict(
                    OnConflict::column(EventWatermark::Id)
                        .do_nothing()
                        .to_owned(),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(EventWatermark::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Events::Table)
                .drop_column(Events::HiddenFrom)
                .to_owned(),
        )
        .await
    }
}
