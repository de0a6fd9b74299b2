//! Setting up departments and agents (the CLI and the demo use these).

use super::{Service, ServiceError};
use crate::{
    domain::{AgentId, DepartmentId, Role},
    store,
};

/// An agent to create.
pub struct NewAgentInput<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub password: &'a str,
    pub role: Role,
    /// Department names; each must exist.
    pub departments: &'a [String],
}

impl Service {
    /// The id of the department called `name`, created if missing.
    pub async fn ensure_department(
        db: &sea_orm::DatabaseConnection,
        name: &str,
    ) -> Result<DepartmentId, ServiceError> {
        if let Some(found) = store::departments::find_by_name(db, name).await? {
            return Ok(found.id);
        }
        let input = super::DepartmentInput {
            name: name.to_owned(),
            ..Default::default()
        };
        match Self::add_department_with(db, input).await {
            Ok(created) => Ok(created),
            // Another instance created it at the same moment.
            Err(ServiceError::Conflict(_)) => store::departments::find_by_name(db, name)
                .await?
                .map(|d| d.id)
                .ok_or_else(|| {
                    ServiceError::bug(format!("department {name:?} both exists and does not"))
                }),
            Err(e) => Err(e),
        }
    }

    /// Creates a department open to customers (label = name, slug from the name); refuses a
    /// duplicate name.
    pub async fn add_department(
        db: &sea_orm::DatabaseConnection,
        name: &str,
    ) -> Result<DepartmentId, ServiceError> {
        let input = super::DepartmentInput {
            name: name.to_owned(),
            ..Default::default()
        };
        Self::add_department_with(db, input).await
    }

    /// Creates an agent with a hashed password on behalf of the command line; refuses a taken
    /// login (decided by the database, so of two concurrent adds of one login exactly one
    /// succeeds) or an unknown department.
    pub async fn add_agent(
        db: &sea_orm::DatabaseConnection,
        input: NewAgentInput<'_>,
    ) -> Result<AgentId, ServiceError> {
        let departments = department_ids(db, input.departments).await?;
        let new = super::NewAgent {
            login: input.login.to_owned(),
            name: input.name.to_owned(),
            password: input.password.to_owned(),
            role: input.role,
            departments,
        };
        Self::create_agent_as(db, &store::audit::AuditActor::command_line(), new).await
    }
}

/// The ids of the departments with these names; each must exist.
pub(super) async fn department_ids(
    db: &sea_orm::DatabaseConnection,
    names: &[String],
) -> Result<Vec<DepartmentId>, ServiceError> {
    let mut ids = Vec::new();
    for name in names {
        let department = store::departments::find_by_name(db, name)
            .await?
            .ok_or_else(|| ServiceError::Invalid(format!("no department called {name:?}")))?;
        ids.push(department.id);
    }
    Ok(ids)
}

/// Refuses text holding NUL characters, which PostgreSQL cannot store: the CLI's door (the API's
/// is its JSON extractor).
pub(super) fn refuse_nul(texts: &[&str]) -> Result<(), ServiceError> {
    if texts.iter().any(|text| text.contains('\0')) {
        return Err(ServiceError::Invalid(
            "text may not contain NUL (U+0000) characters".to_owned(),
        ));
    }
    Ok(())
}

/// Refuses anyone but an admin (403).
pub(super) fn admin_only(actor: &super::Actor) -> Result<(), ServiceError> {
    if actor.agent.role == Role::Admin {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "only an admin may do this".to_owned(),
        ))
    }
}
