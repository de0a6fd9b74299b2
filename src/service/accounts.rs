//! Changing an agent's account from the command line. A password change or a disable ends the
//! agent's sessions; open consoles notice within a second (see `http/session_watch.rs`). Each
//! change is audited as the command line's (see `agents.rs`, which the console's admins use).

use sea_orm::DatabaseConnection;

use super::{AgentChanges, Service, ServiceError};
use crate::{
    domain::AgentId,
    store::{self, audit::AuditActor},
};

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
        Self::set_password_as(db, &AuditActor::command_line(), id, password).await
    }

    /// Enables or disables an agent; disabling ends their sessions. Refuses to disable the last
    /// enabled admin.
    pub async fn set_active(
        db: &DatabaseConnection,
        id: AgentId,
        active: bool,
    ) -> Result<(), ServiceError> {
        let changes = AgentChanges {
            active: Some(active),
            ..AgentChanges::default()
        };
        Self::change_agent_as(db, &AuditActor::command_line(), id, changes).await
    }

    /// Changes an agent's role. Refuses to leave no enabled admin.
    pub async fn set_role(
        db: &DatabaseConnection,
        id: AgentId,
        role: crate::domain::Role,
    ) -> Result<(), ServiceError> {
        let changes = AgentChanges {
            role: Some(role),
            ..AgentChanges::default()
        };
        Self::change_agent_as(db, &AuditActor::command_line(), id, changes).await
    }

    /// Replaces the departments an agent works in (by name; each must exist).
    pub async fn set_departments(
        db: &DatabaseConnection,
        id: AgentId,
        departments: &[String],
    ) -> Result<(), ServiceError> {
        let changes = AgentChanges {
            departments: Some(super::admin::department_ids(db, departments).await?),
            ..AgentChanges::default()
        };
        Self::change_agent_as(db, &AuditActor::command_line(), id, changes).await
    }
}
