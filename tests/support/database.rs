//! A fresh database per test: a temporary SQLite file, or a new PostgreSQL database when
//! `TEST_POSTGRES_URL` is set.

use sea_orm::{ConnectionTrait, DatabaseConnection};

/// Which database a test runs on.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    /// The server's URL, e.g. `postgres://postgres@127.0.0.1:5432` (a database name in it is ignored).
    Postgres(String),
}

fn unique_name() -> String {
    format!("sb_test_{}", switchboard::service::instance_name())
}

impl Backend {
    /// PostgreSQL when `TEST_POSTGRES_URL` is set; otherwise skips (or fails, see `skip_or_fail`).
    pub fn postgres() -> Option<Self> {
        match std::env::var("TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => {
                Some(Self::Postgres(url.trim_end_matches('/').to_owned()))
            }
            _ => {
                super::skip_or_fail(
                    "TEST_POSTGRES_URL is not set, so the PostgreSQL variant cannot run",
                );
                None
            }
        }
    }

    /// Creates an empty database and returns its URL.
    pub async fn fresh_database(&self) -> String {
        match self {
            Self::Sqlite => {
                let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
                format!("sqlite://{}?mode=rwc", path.display())
            }
            Self::Postgres(server) => {
                let name = unique_name();
                let with_database = |database: &str| {
                    let mut url = url::Url::parse(server).expect("TEST_POSTGRES_URL is a URL");
                    url.set_path(database);
                    url.to_string()
                };
                let admin = sea_orm::Database::connect(with_database("postgres"))
                    .await
                    .expect("connecting to TEST_POSTGRES_URL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("creating a test database");
                admin.close().await.ok();
                with_database(&name)
            }
        }
    }

    /// Removes what a test left (SQLite files; PostgreSQL databases are dropped by `.ci/run`).
    pub fn forget(&self, database_url: &str) {
        if let Self::Sqlite = self
            && let Some(path) = database_url
                .strip_prefix("sqlite://")
                .and_then(|rest| rest.split('?').next())
        {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
        }
    }
}

/// A lock held on the database from outside the server, which makes the server's writes wait.
pub struct DbLock {
    _db: DatabaseConnection,
    txn: Option<sea_orm::DatabaseTransaction>,
}

impl DbLock {
    /// Takes SQLite's write lock, or an exclusive lock on PostgreSQL's `telegram_updates`.
    pub async fn take(database_url: &str) -> Self {
        use sea_orm::TransactionTrait;
        let db = switchboard::store::connect(database_url)
            .await
            .expect("connecting for a lock");
        let txn = if switchboard::store::is_postgres(&db) {
            let txn = db.begin().await.expect("begin");
            txn.execute_unprepared("LOCK TABLE telegram_updates IN ACCESS EXCLUSIVE MODE")
                .await
                .expect("locking");
            txn
        } else {
            let txn = switchboard::store::begin_write(&db)
                .await
                .expect("taking the SQLite write lock");
            // IMMEDIATE already holds the write lock; a write makes it visible in the journal too.
            txn.execute_unprepared("DELETE FROM telegram_updates WHERE update_id < 0")
                .await
                .expect("locking");
            txn
        };
        Self {
            _db: db,
            txn: Some(txn),
        }
    }

    /// Releases the lock without changing anything.
    pub async fn release(mut self) {
        if let Some(txn) = self.txn.take() {
            txn.rollback().await.expect("releasing the lock");
        }
    }
}
