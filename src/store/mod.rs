//! The database: connecting, migrating, and the queries, one file per aggregate. The only place
//! that builds SQL. Functions take any connection or transaction (`ConnectionTrait`).

pub mod accounts;
pub mod agents;
pub mod audit;
pub mod board;
pub mod bot_texts;
pub mod breaches;
pub mod canned;
pub mod changes;
pub mod clients;
pub mod dead_letters;
pub mod departments;
pub mod entity;
pub mod events;
pub mod gauges;
pub mod history;
pub mod leader;
pub mod login_failures;
pub mod message_edits;
pub mod messages;
pub mod notes;
pub mod outbound_files;
pub mod outbox;
pub mod paging;
pub mod presence;
pub mod priorities;
pub mod ratings;
pub mod reports;
pub mod retention;
pub mod sessions;
pub mod settings;
pub mod text_search;
pub mod tickets;
pub mod timers;
pub mod transcript_posts;
pub mod unread;
pub mod updates;
pub mod waiting;

use std::time::Duration;

/// The most rows one page of a list holds (timeline, notes, agents, departments); the queue has
/// `tickets::LIST_LIMIT`, conversations and history their own maxima. Every list is paged.
pub const MAX_LIST_ROWS: u64 = 500;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr,
    SqlErr, TransactionOptions, TransactionTrait,
};

/// Each SQLite connection's page cache, in SQLite's notation (negative: KiB): 512 KiB instead of
/// SQLite's 2 MiB. The pool's connections each fill their own cache, and it stays resident: with
/// the default, the four connections an idle server opens at start held ~5.7 MiB of a 20,000-ticket
/// database's pages after start-up's queries (and up to 16 MiB with all 8). The operating
/// system's page cache still holds the file, so a page not in SQLite's cache costs a `pread`,
/// not a disk read. See docs/benchmarks-idle-accept-sending.md.
const SQLITE_CACHE_SIZE: &str = "-512";

/// Opens a pool on `url` (SQLite in WAL mode with a busy timeout, or PostgreSQL).
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut opt = ConnectOptions::new(url.to_owned());
    opt.sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        opt.max_connections(8)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|o| {
                use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
                o.pragma("cache_size", SQLITE_CACHE_SIZE)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .create_if_missing(true)
                    // Temporary b-trees and statement journals in memory: on disk each one cost an
                    // open, writes and an unlink (~20 a second at 100 updates/s, seen with strace).
                    .pragma("temp_store", "memory")
            });
    } else {
        opt.max_connections(20).min_connections(1);
    }
    Database::connect(opt).await
}

/// Brings the schema up to date; safe to run on every start and from several instances.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once (IMMEDIATE), so a
/// read-then-write never fails half-way with SQLITE_BUSY.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    db.begin_with_options(options).await
}

/// Whether the database is PostgreSQL (several instances can share it).
pub fn is_postgres(db: &impl sea_orm::ConnectionTrait) -> bool {
    db.get_database_backend() == DatabaseBackend::Postgres
}

/// Whether `err` is a unique-constraint violation (a race the database decided).
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Turns a unique-constraint violation into the caller's own error at the insert that hit it
/// (the database decides the race; nobody checks first), and any other database error into `E`.
pub trait OnUnique<T> {
    fn on_unique<E>(self, conflict: impl FnOnce() -> E) -> Result<T, E>
    where
        E: From<DbErr>;
}

impl<T> OnUnique<T> for Result<T, DbErr> {
    fn on_unique<E>(self, conflict: impl FnOnce() -> E) -> Result<T, E>
    where
        E: From<DbErr>,
    {
        self.map_err(|e| {
            if is_unique_violation(&e) {
                conflict()
            } else {
                E::from(e)
            }
        })
    }
}

/// Whether `err` is the database refusing a value, so that trying again cannot succeed: a
/// constraint (NOT NULL, CHECK, foreign key, or a unique key still taken after the retries) or a
/// value it cannot hold (too long, out of range, malformed). A lost connection, a timeout, a lock
/// or a serialization failure is not: those pass, and the work is retried.
pub fn is_permanent(err: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx};
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = err
    else {
        return false;
    };
    let sqlx::Error::Database(e) = e.as_ref() else {
        return false;
    };
    let code = e.code().unwrap_or_default();
    if e.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
        .is_some()
    {
        // Class 22: data exception (too long, out of range, bad text); 23: integrity constraint
        // violation; 54: program limit exceeded (a row too big to index).
        return ["22", "23", "54"]
            .iter()
            .any(|class| code.starts_with(class));
    }
    if e.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        // The primary result code is the low byte of the extended one: 18 TOOBIG, 19 CONSTRAINT,
        // 20 MISMATCH, 25 RANGE.
        return code
            .parse::<i32>()
            .is_ok_and(|extended| matches!(extended & 0xff, 18 | 19 | 20 | 25));
    }
    false
}
