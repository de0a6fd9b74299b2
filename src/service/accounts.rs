//! Changing an agent's account (the CLI and the tests use these). A password change or a
//! disable ends the agent's sessions; open consoles notice within a second (see `http/ws.rs`).

use sea_orm::{DatabaseConnection, TransactionTrait};

use super::{Service, ServiceError, hash_password};
use crate::{domain::AgentId, store};

impl Service {
    /// The id of the agent with this login, active or not.
    pub async fn agent_id_by_login(
        db: &DatabaseConnection,
        login: &str,
    ) -> Result<Option<AgentId>, ServiceError> {
        Ok(store::accounts::id_of_login(db, login).await?)
    }

    /// Sets a new password and ends the agent's sessions.
    pub async fn set_password(
        db: &DatabaseConnection,
        id: AgentId,
        password: &str,
    ) -> Result<(), ServiceError> {
        if password.chars().count() < 4 {
            return Err(ServiceError::Invalid(
                "a password has at least 4 characters".to_owned(),
            ));
        }
        let password = password.to_owned();
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| ServiceError::Other(e.into()))??;
        let txn = db.begin().await?;
        if !store::accounts::set_password_hash(&txn, id, &hash).await? {
            return Err(ServiceError::NotFound);
        }
        store::accounts::end_sessions(&txn, id).await?;
        txn.commit().await?;
        tracing::info!(agent.id = %id, "password changed; sessions ended");
        Ok(())
    }

    /// Enables or disables an agent; disabling ends their sessions.
    pub async fn set_active(
        db: &DatabaseConnection,
        id: AgentId,
        active: bool,
    ) -> Result<(), ServiceError> {
        let txn = db.begin().await?;
        if !store::accounts::set_active(&txn, id, active).await? {
            return Err(ServiceError::NotFound);
        }
        if !active {
            store::accounts::end_sessions(&txn, id).await?;
        }
        txn.commit().await?;
        tracing::info!(agent.id = %id, active, "agent's access changed");
        Ok(())
    }

    /// Replaces the departments an agent works in (by name; each must exist).
    pub async fn set_departments(
        db: &DatabaseConnection,
        id: AgentId,
        departments: &[String],
    ) -> Result<(), ServiceError> {
        let mut ids = Vec::new();
        for name in departments {
            let department = store::departments::find_by_name(db, name)
                .await?
                .ok_or_else(|| ServiceError::Invalid(format!("no department called {name:?}")))?;
            ids.push(department.id);
        }
        let txn = db.begin().await?;
        store::accounts::set_departments(&txn, id, &ids).await?;
        txn.commit().await?;
        Ok(())
    }
}
