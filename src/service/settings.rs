//! An agent's own alert settings: read them, change some of them. Only one's own: the actor is
//! the agent whose settings these are.

use chrono::Utc;

use super::{Actor, Service, ServiceError};
use crate::{
    domain::{AlertSettings, AlertSettingsPatch},
    store,
};

impl Service {
    /// The actor's alert settings (the defaults until they change any).
    pub async fn alert_settings(&self, actor: &Actor) -> Result<AlertSettings, ServiceError> {
        Ok(store::settings::of(&self.db, actor.agent.id).await?)
    }

    /// Changes the settings the patch names and returns all of them as they now are. A value out
    /// of range is refused naming its field, and nothing is changed.
    pub async fn change_alert_settings(
        &self,
        actor: &Actor,
        patch: AlertSettingsPatch,
    ) -> Result<AlertSettings, ServiceError> {
        let change = patch.check().map_err(ServiceError::Invalid)?;
        if !change.is_empty() {
            store::settings::change(&self.db, actor.agent.id, change, Utc::now()).await?;
        }
        self.alert_settings(actor).await
    }
}
