//! Reports of ratings: ratings by the instant they were given, so that a report over a range of
//! days, for every department and agent, reads only that range's ratings (`store::reports::rated`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Ratings {
    Table,
    RatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("idx_ratings_rated_at")
                .table(Ratings::Table)
                .col(Ratings::RatedAt)
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_ratings_rated_at")
                .table(Ratings::Table)
                .to_owned(),
        )
        .await
    }
}
