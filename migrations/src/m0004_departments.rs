//! Departments face customers: a label on the routing buttons, a slug for deep links, an "open to
//! customers" flag and a position. Outbound messages can carry an inline keyboard (the routing
//! question) as JSON.

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, DatabaseBackend, Statement},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Departments {
    Table,
    Label,
    Slug,
    Open,
    Position,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    ReplyMarkup,
}

/// The slug a department gets from its name: lowercase a-z and 0-9, other runs become `-`.
fn slug_of(name: &str) -> String {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(24).collect();
    if slug.is_empty() {
        "department".to_owned()
    } else {
        slug
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            (
                "label",
                string_len(Departments::Label, 100).default("").take(),
            ),
            ("slug", string_len(Departments::Slug, 32).default("").take()),
            ("open", boolean(Departments::Open).default(true).take()),
            ("position", integer(Departments::Position).default(0).take()),
        ];
        for (name, column) in columns {
            if !m.has_column("departments", name).await? {
                m.alter_table(
                    Table::alter()
                        .table(Departments::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
            }
        }
        if !m.has_column("messages", "reply_markup").await? {
            m.alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(text_null(Messages::ReplyMarkup))
                    .to_owned(),
            )
            .await?;
        }
        // Existing departments: label = name, slug from the name (made unique with the id),
        // position = id (the order they were created in).
        let db = m.get_connection();
        let backend = m.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, name FROM departments WHERE slug = '' ORDER BY id",
            ))
            .await?;
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let name: String = row.try_get("", "name")?;
            let base = slug_of(&name);
            let taken = db
                .query_one_raw(Statement::from_sql_and_values(
                    backend,
                    match backend {
                        DatabaseBackend::Postgres => "SELECT id FROM departments WHERE slug = $1",
                        _ => "SELECT id FROM departments WHERE slug = ?",
                    },
                    [base.clone().into()],
                ))
                .await?
                .is_some();
            let slug = if taken { format!("{base}-{id}") } else { base };
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                match backend {
                    DatabaseBackend::Postgres => {
                        "UPDATE departments SET slug = $1, label = name, position = $2 WHERE id = $3"
                    }
                    _ => "UPDATE departments SET slug = ?, label = name, position = ? WHERE id = ?",
                },
                [slug.into(), (id as i32).into(), id.into()],
            ))
            .await?;
        }
        m.create_index(
            Index::create()
                .name("idx_departments_slug")
                .table(Departments::Table)
                .col(Departments::Slug)
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_departments_slug")
                .table(Departments::Table)
                .to_owned(),
        )
        .await?;
        for column in [
            Departments::Label,
            Departments::Slug,
            Departments::Open,
            Departments::Position,
        ] {
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
                .table(Messages::Table)
                .drop_column(Messages::ReplyMarkup)
                .to_owned(),
        )
        .await
    }
}
