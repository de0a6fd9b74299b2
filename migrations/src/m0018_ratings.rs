//! Ratings and transcripts: the customer's 1–5 stars (and optional comment) for a closed ticket,
//! one row per ticket, written when the bot asks and filled in when they answer; and the durable
//! jobs that post a closed ticket's transcript to the staff chat.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Ratings {
    Table,
    Id,
    TicketId,
    ClientId,
    AgentId,
    DepartmentId,
    Token,
    Stars,
    Comment,
    CommentUntil,
    CreatedAt,
    RatedAt,
}

#[derive(DeriveIden)]
enum TranscriptPosts {
    Table,
    Id,
    TicketId,
    ChatId,
    State,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    LastError,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Clients {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Agents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Departments {
    Table,
    Id,
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
                .table(Ratings::Table)
                .if_not_exists()
                .col(big_pk_auto(Ratings::Id))
                .col(big_integer(Ratings::TicketId).unique_key())
                .col(big_integer(Ratings::ClientId))
                .col(big_integer_null(Ratings::AgentId))
                .col(big_integer(Ratings::DepartmentId))
                .col(string_len(Ratings::Token, 16))
                .col(small_integer_null(Ratings::Stars))
                .col(string_len_null(Ratings::Comment, 1000))
                .col(timestamp_with_time_zone_null(Ratings::CommentUntil))
                .col(timestamp_with_time_zone(Ratings::CreatedAt))
                .col(timestamp_with_time_zone_null(Ratings::RatedAt))
                .foreign_key(&mut fk(
                    "fk_ratings_ticket",
                    (Ratings::Table, Ratings::TicketId),
                    (Tickets::Table, Tickets::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_ratings_client",
                    (Ratings::Table, Ratings::ClientId),
                    (Clients::Table, Clients::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_ratings_agent",
                    (Ratings::Table, Ratings::AgentId),
                    (Agents::Table, Agents::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_ratings_department",
                    (Ratings::Table, Ratings::DepartmentId),
                    (Departments::Table, Departments::Id),
                ))
                .to_owned(),
        )
        .await?;
        // A customer's message looks for their rating waiting for a comment.
        m.create_index(
            Index::create()
                .name("idx_ratings_client_comment")
                .table(Ratings::Table)
                .col(Ratings::ClientId)
                .col(Ratings::CommentUntil)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        // The summaries: per department or agent over a range of answers.
        m.create_index(
            Index::create()
                .name("idx_ratings_department_rated")
                .table(Ratings::Table)
                .col(Ratings::DepartmentId)
                .col(Ratings::RatedAt)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_ratings_agent_rated")
                .table(Ratings::Table)
                .col(Ratings::AgentId)
                .col(Ratings::RatedAt)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TranscriptPosts::Table)
                .if_not_exists()
                .col(big_pk_auto(TranscriptPosts::Id))
                .col(big_integer(TranscriptPosts::TicketId))
                .col(big_integer(TranscriptPosts::ChatId))
                .col(string_len(TranscriptPosts::State, 16))
                .col(integer(TranscriptPosts::Attempts).default(0))
                .col(timestamp_with_time_zone(TranscriptPosts::NextAttemptAt))
                .col(timestamp_with_time_zone_null(TranscriptPosts::ClaimedUntil))
                .col(string_len_null(TranscriptPosts::LastError, 500))
                .col(timestamp_with_time_zone(TranscriptPosts::CreatedAt))
                .col(timestamp_with_time_zone_null(TranscriptPosts::SentAt))
                .foreign_key(&mut fk(
                    "fk_transcript_posts_ticket",
                    (TranscriptPosts::Table, TranscriptPosts::TicketId),
                    (Tickets::Table, Tickets::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_transcript_posts_due")
                .table(TranscriptPosts::Table)
                .col(TranscriptPosts::State)
                .col(TranscriptPosts::NextAttemptAt)
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(TranscriptPosts::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Ratings::Table).to_owned())
            .await
    }
}
