//! The first schema: departments, agents, clients, tickets, messages, notes, events, sessions and the
//! ledger of Telegram updates already ingested.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Departments {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Agents {
    Table,
    Id,
    Login,
    DisplayName,
    PasswordHash,
    Role,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AgentDepartments {
    Table,
    AgentId,
    DepartmentId,
}

#[derive(DeriveIden)]
enum Clients {
    Table,
    Id,
    TelegramId,
    Username,
    Name,
    Language,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
    ClientId,
    DepartmentId,
    Status,
    OwnerId,
    CreatedAt,
    UpdatedAt,
    AcceptedAt,
    ClosedAt,
    CloseReason,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    TicketId,
    Direction,
    AuthorKind,
    AuthorAgentId,
    Text,
    TelegramChatId,
    TelegramMessageId,
    Delivery,
    DeliveryError,
    DeliveryClaimedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ClientNotes {
    Table,
    Id,
    ClientId,
    AuthorAgentId,
    Text,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    Kind,
    DepartmentId,
    TicketId,
    Payload,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    TokenHash,
    AgentId,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum TelegramUpdates {
    Table,
    UpdateId,
    ReceivedAt,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Departments::Table)
                .if_not_exists()
                .col(big_pk_auto(Departments::Id))
                .col(string_len_uniq(Departments::Name, 100))
                .col(timestamp_with_time_zone(Departments::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Agents::Table)
                .if_not_exists()
                .col(big_pk_auto(Agents::Id))
                .col(string_len_uniq(Agents::Login, 64))
                .col(string_len(Agents::DisplayName, 100))
                .col(string_len(Agents::PasswordHash, 255))
                .col(string_len(Agents::Role, 16))
                .col(boolean(Agents::Active).default(true))
                .col(timestamp_with_time_zone(Agents::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AgentDepartments::Table)
                .if_not_exists()
                .col(big_integer(AgentDepartments::AgentId))
                .col(big_integer(AgentDepartments::DepartmentId))
                .primary_key(
                    Index::create()
                        .col(AgentDepartments::AgentId)
                        .col(AgentDepartments::DepartmentId),
                )
                .foreign_key(&mut fk(
                    "fk_agent_departments_agent",
                    (AgentDepartments::Table, AgentDepartments::AgentId),
                    (Agents::Table, Agents::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_agent_departments_department",
                    (AgentDepartments::Table, AgentDepartments::DepartmentId),
                    (Departments::Table, Departments::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Clients::Table)
                .if_not_exists()
                .col(big_pk_auto(Clients::Id))
                .col(big_integer_uniq(Clients::TelegramId))
                .col(string_len_null(Clients::Username, 64))
                .col(string_len(Clients::Name, 256))
                .col(string_len_null(Clients::Language, 16))
                .col(timestamp_with_time_zone(Clients::CreatedAt))
                .col(timestamp_with_time_zone(Clients::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Tickets::Table)
                .if_not_exists()
                .col(big_pk_auto(Tickets::Id))
                .col(big_integer(Tickets::ClientId))
                .col(big_integer(Tickets::DepartmentId))
                .col(string_len(Tickets::Status, 16))
                .col(big_integer_null(Tickets::OwnerId))
                .col(timestamp_with_time_zone(Tickets::CreatedAt))
                .col(timestamp_with_time_zone(Tickets::UpdatedAt))
                .col(timestamp_with_time_zone_null(Tickets::AcceptedAt))
                .col(timestamp_with_time_zone_null(Tickets::ClosedAt))
                .col(string_len_null(Tickets::CloseReason, 500))
                .foreign_key(&mut fk(
                    "fk_tickets_client",
                    (Tickets::Table, Tickets::ClientId),
                    (Clients::Table, Clients::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_tickets_department",
                    (Tickets::Table, Tickets::DepartmentId),
                    (Departments::Table, Departments::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_tickets_owner",
                    (Tickets::Table, Tickets::OwnerId),
                    (Agents::Table, Agents::Id),
                ))
                .to_owned(),
        )
        .await?;
        // The queues: open tickets of a department by status, newest activity first.
        m.create_index(
            Index::create()
                .name("idx_tickets_queue")
                .table(Tickets::Table)
                .col(Tickets::Status)
                .col(Tickets::DepartmentId)
                .col(Tickets::UpdatedAt)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        // Supervisors' all-department lists (closed tickets, newest first).
        m.create_index(
            Index::create()
                .name("idx_tickets_status_updated")
                .table(Tickets::Table)
                .col(Tickets::Status)
                .col(Tickets::UpdatedAt)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_tickets_owner")
                .table(Tickets::Table)
                .col(Tickets::OwnerId)
                .col(Tickets::Status)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_tickets_client")
                .table(Tickets::Table)
                .col(Tickets::ClientId)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        // At most one open ticket per client: the database refuses a duplicate even under races.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS uq_tickets_open_client \
                 ON tickets (client_id) WHERE status <> 'closed'",
            )
            .await?;

        m.create_table(
            Table::create()
                .table(Messages::Table)
                .if_not_exists()
                .col(big_pk_auto(Messages::Id))
                .col(big_integer(Messages::TicketId))
                .col(string_len(Messages::Direction, 3))
                .col(string_len(Messages::AuthorKind, 16))
                .col(big_integer_null(Messages::AuthorAgentId))
                .col(text(Messages::Text))
                .col(big_integer(Messages::TelegramChatId))
                .col(big_integer_null(Messages::TelegramMessageId))
                .col(string_len_null(Messages::Delivery, 16))
                .col(string_len_null(Messages::DeliveryError, 500))
                .col(timestamp_with_time_zone_null(Messages::DeliveryClaimedAt))
                .col(timestamp_with_time_zone(Messages::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_messages_ticket",
                    (Messages::Table, Messages::TicketId),
                    (Tickets::Table, Tickets::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_messages_author",
                    (Messages::Table, Messages::AuthorAgentId),
                    (Agents::Table, Agents::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_messages_ticket")
                .table(Messages::Table)
                .col(Messages::TicketId)
                .col(Messages::Id)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        // The outbox: outbound messages not yet delivered.
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX IF NOT EXISTS idx_messages_outbox \
                 ON messages (id) WHERE delivery IN ('queued', 'sending')",
            )
            .await?;

        m.create_table(
            Table::create()
                .table(ClientNotes::Table)
                .if_not_exists()
                .col(big_pk_auto(ClientNotes::Id))
                .col(big_integer(ClientNotes::ClientId))
                .col(big_integer(ClientNotes::AuthorAgentId))
                .col(text(ClientNotes::Text))
                .col(timestamp_with_time_zone(ClientNotes::CreatedAt))
                .col(timestamp_with_time_zone(ClientNotes::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_client_notes_client",
                    (ClientNotes::Table, ClientNotes::ClientId),
                    (Clients::Table, Clients::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_client_notes_author",
                    (ClientNotes::Table, ClientNotes::AuthorAgentId),
                    (Agents::Table, Agents::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_client_notes_client")
                .table(ClientNotes::Table)
                .col(ClientNotes::ClientId)
                .if_not_exists()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Events::Table)
                .if_not_exists()
                .col(big_pk_auto(Events::Id))
                .col(string_len(Events::Kind, 32))
                .col(big_integer(Events::DepartmentId))
                .col(big_integer_null(Events::TicketId))
                .col(text(Events::Payload))
                .col(timestamp_with_time_zone(Events::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .if_not_exists()
                .col(string_len(Sessions::TokenHash, 64).primary_key())
                .col(big_integer(Sessions::AgentId))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .foreign_key(&mut fk(
                    "fk_sessions_agent",
                    (Sessions::Table, Sessions::AgentId),
                    (Agents::Table, Agents::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TelegramUpdates::Table)
                .if_not_exists()
                .col(big_integer(TelegramUpdates::UpdateId).primary_key())
                .col(timestamp_with_time_zone(TelegramUpdates::ReceivedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            TelegramUpdates::Table.into_iden(),
            Sessions::Table.into_iden(),
            Events::Table.into_iden(),
            ClientNotes::Table.into_iden(),
            Messages::Table.into_iden(),
            Tickets::Table.into_iden(),
            Clients::Table.into_iden(),
            AgentDepartments::Table.into_iden(),
            Agents::Table.into_iden(),
            Departments::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
