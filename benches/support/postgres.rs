//! The PostgreSQL databases the benchmarks make: one `sb_bench_<random>` database per server run,
//! dropped when the run ends, and leftovers of runs that died dropped at the start. Each bench
//! includes it with `#[path = "support/postgres.rs"] mod postgres;`.
#![allow(dead_code)]

use sea_orm::{ConnectionTrait, Statement};

/// The prefix of every benchmark database.
pub const PREFIX: &str = "sb_bench_";

/// A database made for one run on the server `server` (a `postgres://` URL without a database).
pub struct BenchDatabase {
    pub name: String,
    pub url: String,
    server: String,
}

impl BenchDatabase {
    /// Creates a new database named `sb_bench_<random>`.
    pub async fn create(server: &str) -> anyhow::Result<Self> {
        let name = format!("{PREFIX}{}", switchboard::service::instance_name());
        let admin = admin(server).await?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await?;
        admin.close().await?;
        let mut url = url::Url::parse(server)?;
        url.set_path(&name);
        Ok(Self {
            name,
            url: url.to_string(),
            server: server.to_owned(),
        })
    }

    /// Drops the database once its server has exited; `FORCE` ends a backend of the server's pool
    /// that PostgreSQL has not finished closing yet (seen: "is being accessed by other users").
    pub async fn remove(self) -> anyhow::Result<()> {
        let admin = admin(&self.server).await?;
        admin
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .await?;
        admin.close().await?;
        Ok(())
    }
}

/// Drops the `sb_bench_%` databases that nobody is connected to (left by runs that died); returns
/// their names. A database in use (another benchmark running) stays.
pub async fn drop_leftovers(server: &str) -> anyhow::Result<Vec<String>> {
    let admin = admin(server).await?;
    let rows = admin
        .query_all_raw(Statement::from_string(
            admin.get_database_backend(),
            format!(
                "SELECT d.datname FROM pg_database d WHERE d.datname LIKE '{}%' \
                 AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)",
                PREFIX.replace('_', "\\_")
            ),
        ))
        .await?;
    let mut dropped = Vec::new();
    for row in rows {
        let name: String = row.try_get_by_index(0)?;
        // A name from pg_database matching the prefix; quoted in case it holds anything else.
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        match admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {quoted}"))
            .await
        {
            Ok(_) => dropped.push(name),
            // Someone connected between the look-up and the drop: theirs, not a leftover.
            Err(error) => println!("kept {name}: {error}"),
        }
    }
    admin.close().await?;
    Ok(dropped)
}

/// A connection to the server's `postgres` database.
async fn admin(server: &str) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let mut url = url::Url::parse(server)?;
    url.set_path("postgres");
    Ok(sea_orm::Database::connect(url.as_str()).await?)
}
