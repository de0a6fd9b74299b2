//! Failed logins, counted per login across instances for the login throttle.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::entity::login_failure;

/// Records a failed login and forgets failures older than `forget_before`.
pub async fn record<C>(
    c: &C,
    login_key: &str,
    at: DateTime<Utc>,
    forget_before: DateTime<Utc>,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    login_failure::Entity::insert(login_failure::ActiveModel {
        login_key: Set(login_key.to_owned()),
        failed_at: Set(at),
        ..Default::default()
    })
    .exec_without_returning(c)
    .await?;
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::FailedAt.lt(forget_before))
        .exec(c)
        .await?;
    Ok(())
}

/// The times of the latest `limit` failures of a login since `since`, newest first.
pub async fn latest<C>(
    c: &C,
    login_key: &str,
    since: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<DateTime<Utc>>, DbErr>
where
    C: ConnectionTrait,
{
    Ok(login_failure::Entity::find()
        .filter(login_failure::Column::LoginKey.eq(login_key))
        .filter(login_failure::Column::FailedAt.gt(since))
        .order_by_desc(login_failure::Column::FailedAt)
        .limit(u64::from(limit))
        .all(c)
        .await?
        .into_iter()
        .map(|row| row.failed_at)
        .collect())
}
