//! Agents' alert settings: one row per agent who changed any, absent for the rest (the defaults).

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set, sea_query::OnConflict};

use super::entity::agent_setting;
use crate::domain::{AgentId, AlertSettings, AlertSettingsChange};

/// The agent's settings: their row, or the defaults when they never changed any.
pub async fn of<C>(c: &C, agent_id: AgentId) -> Result<AlertSettings, DbErr>
where
    C: ConnectionTrait,
{
    Ok(agent_setting::Entity::find_by_id(agent_id)
        .one(c)
        .await?
        .map_or_else(AlertSettings::default, settings_of))
}

/// Writes a checked change in one statement: the agent's first change inserts the defaults with
/// it applied; a later one updates only the columns it names, so that two changes of different
/// settings (two tabs, two instances) never undo each other.
pub async fn change<C>(
    c: &C,
    agent_id: AgentId,
    change: AlertSettingsChange,
    now: DateTime<Utc>,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    use agent_setting::Column;
    let first = change.apply_to(AlertSettings::default());
    let mut columns = vec![Column::UpdatedAt];
    let named = [
        (change.mute.is_some(), Column::Mute),
        (change.volume.is_some(), Column::Volume),
        (change.repeat_every_secs.is_some(), Column::RepeatEverySecs),
        (
            change.alert_on_customer_message.is_some(),
            Column::AlertOnCustomerMessage,
        ),
        (
            change.desktop_notifications.is_some(),
            Column::DesktopNotifications,
        ),
    ];
    columns.extend(
        named
            .into_iter()
            .filter(|(named, _)| *named)
            .map(|(_, c)| c),
    );
    agent_setting::Entity::insert(agent_setting::ActiveModel {
        agent_id: Set(agent_id),
        mute: Set(first.mute),
        volume: Set(i32::from(first.volume)),
        // At most MAX_REPEAT_SECS (3600), checked by the domain.
        repeat_every_secs: Set(i32::try_from(first.repeat_every_secs).unwrap_or(i32::MAX)),
        alert_on_customer_message: Set(first.alert_on_customer_message),
        desktop_notifications: Set(first.desktop_notifications),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(Column::AgentId)
            .update_columns(columns)
            .to_owned(),
    )
    .exec_without_returning(c)
    .await?;
    Ok(())
}

/// A row as settings. Rows are written only from checked changes; a value out of range anyway
/// (edited by hand) is brought back into it.
fn settings_of(row: agent_setting::Model) -> AlertSettings {
    let volume = row.volume.clamp(0, i32::from(crate::domain::MAX_VOLUME));
    let repeat = row.repeat_every_secs.clamp(
        0,
        i32::try_from(crate::domain::MAX_REPEAT_SECS).unwrap_or(i32::MAX),
    );
    AlertSettings {
        mute: row.mute,
        volume: u8::try_from(volume).unwrap_or(crate::domain::DEFAULT_VOLUME),
        repeat_every_secs: u32::try_from(repeat).unwrap_or(crate::domain::DEFAULT_REPEAT_SECS),
        alert_on_customer_message: row.alert_on_customer_message,
        desktop_notifications: row.desktop_notifications,
    }
}
