//! Leadership among instances sharing PostgreSQL, held as a session advisory lock on a connection
//! of its own: the lock lasts exactly as long as that connection.

use sea_orm::{
    DatabaseConnection,
    sqlx::{self, PgConnection},
};

/// The advisory lock key of the Telegram poller ("SWBTPOLL").
const POLLER_LOCK: i64 = 0x5357_4254_504f_4c4c;

/// Takes the poller lock if no other instance holds it. The returned connection holds the lock;
/// dropping it (or the process dying) releases it.
pub async fn try_lock_poller(db: &DatabaseConnection) -> Result<Option<PgConnection>, sqlx::Error> {
    let mut connection = db.get_postgres_connection_pool().acquire().await?.detach();
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(POLLER_LOCK)
        .fetch_one(&mut connection)
        .await?;
    Ok(locked.then_some(connection))
}

/// The advisory lock key of the pruner ("SWBTPRUN").
const PRUNER_LOCK: i64 = 0x5357_4254_5052_554e;

/// Takes the pruner lock if no other instance holds it; it lasts as long as the returned
/// connection.
pub async fn try_lock_pruner(db: &DatabaseConnection) -> Result<Option<PgConnection>, sqlx::Error> {
    let mut connection = db.get_postgres_connection_pool().acquire().await?.detach();
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(PRUNER_LOCK)
        .fetch_one(&mut connection)
        .await?;
    Ok(locked.then_some(connection))
}
