//! Priorities and first-response targets: departments and clients have a priority (0 normal,
//! 1 priority, 2 VIP) and a ticket keeps the higher of its client's and its department's, so the
//! Pending queue orders by priority then wait from an index. A department may have a
//! first-response target; a ticket remembers the wait it last breached that target for, so the
//! alert fires once per breach even with several instances.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Departments {
    Table,
    Priority,
    FirstResponseTargetSecs,
}

#[derive(DeriveIden)]
enum Clients {
    Table,
    Priority,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Priority,
    BreachedSince,
    Status,
    DepartmentId,
    CreatedAt,
    Id,
    AwaitingReplySince,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Departments::Table)
                .add_column(integer(Departments::Priority).default(0))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Departments::Table)
                .add_column(integer_null(Departments::FirstResponseTargetSecs))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Clients::Table)
                .add_column(integer(Clients::Priority).default(0))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tickets::Table)
                .add_column(integer(Tickets::Priority).default(0))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tickets::Table)
                .add_column(timestamp_with_time_zone_null(Tickets::BreachedSince))
                .to_owned(),
        )
        .await?;
        // The Pending queue of some departments: priority (VIP first), then who waited longest;
        // also the board's Pending counts and oldest waits per department.
        m.create_index(
            Index::create()
                .name("idx_tickets_priority_queue")
                .table(Tickets::Table)
                .col(Tickets::Status)
                .col(Tickets::DepartmentId)
                .col((Tickets::Priority, IndexOrder::Desc))
                .col(Tickets::CreatedAt)
                .col(Tickets::Id)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        // The same queue across every department (supervisors and admins).
        m.create_index(
            Index::create()
                .name("idx_tickets_priority_all")
                .table(Tickets::Table)
                .col(Tickets::Status)
                .col((Tickets::Priority, IndexOrder::Desc))
                .col(Tickets::CreatedAt)
                .col(Tickets::Id)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        // Accepted tickets whose customer waits for a reply: the board and the breach checker.
        m.create_index(
            Index::create()
                .name("idx_tickets_awaiting")
                .table(Tickets::Table)
                .col(Tickets::Status)
                .col(Tickets::DepartmentId)
                .col(Tickets::AwaitingReplySince)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for index in [
            "idx_tickets_priority_queue",
            "idx_tickets_priority_all",
            "idx_tickets_awaiting",
        ] {
            m.drop_index(Index::drop().name(index).table(Tickets::Table).to_owned())
                .await?;
        }
        for column in [Tickets::Priority, Tickets::BreachedSince] {
            m.alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Clients::Table)
                .drop_column(Clients::Priority)
                .to_owned(),
        )
        .await?;
        for column in [Departments::Priority, Departments::FirstResponseTargetSecs] {
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
