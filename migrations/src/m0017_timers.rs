//! Lifecycle timers and business hours per department: idle reminder and idle close (hours after
//! the customer's last message), the auto-close of "waiting for customer" and "solution
//! suggested" tickets (days), a reopen window (hours; none: the global setting) and business
//! hours (a JSON document: time zone, weekly schedule, holidays). Tickets remember when their
//! customer last wrote, when the idle reminder went out, their hold state and since when, and
//! when the bot told the customer that agents are away.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Departments {
    Table,
    IdleReminderHours,
    IdleCloseHours,
    WaitingCloseDays,
    SolutionCloseDays,
    ReopenWindowHours,
    BusinessHours,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    CustomerWroteAt,
    IdleRemindedAt,
    HoldState,
    HoldSince,
    AwayNoticeAt,
}

const DEPARTMENT_COLUMNS: [Departments; 5] = [
    Departments::IdleReminderHours,
    Departments::IdleCloseHours,
    Departments::WaitingCloseDays,
    Departments::SolutionCloseDays,
    Departments::ReopenWindowHours,
];

const TICKET_TIMES: [Tickets; 4] = [
    Tickets::CustomerWroteAt,
    Tickets::IdleRemindedAt,
    Tickets::HoldSince,
    Tickets::AwayNoticeAt,
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for column in DEPARTMENT_COLUMNS {
            m.alter_table(
                Table::alter()
                    .table(Departments::Table)
                    .add_column(integer_null(column))
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Departments::Table)
                .add_column(text_null(Departments::BusinessHours))
                .to_owned(),
        )
        .await?;
        for column in TICKET_TIMES {
            m.alter_table(
                Table::alter()
                    .table(Tickets::Table)
                    .add_column(timestamp_with_time_zone_null(column))
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Tickets::Table)
                .add_column(string_len_null(Tickets::HoldState, 24))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        // Open tickets' customers last wrote when their newest inbound message arrived.
        db.execute_unprepared(
            "UPDATE tickets SET customer_wrote_at = (SELECT MAX(messages.created_at) \
             FROM messages WHERE messages.ticket_id = tickets.id AND messages.direction = 'in') \
             WHERE status <> 'closed'",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS idx_tickets_timers \
             ON tickets (department_id, status, customer_wrote_at)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS idx_tickets_timers")
            .await?;
        for column in TICKET_TIMES {
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
                .table(Tickets::Table)
                .drop_column(Tickets::HoldState)
                .to_owned(),
        )
        .await?;
        for column in DEPARTMENT_COLUMNS {
            m.alter_table(
                Table::alter()
                    .table(Departments::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Departments::Table)
                .drop_column(Departments::BusinessHours)
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
