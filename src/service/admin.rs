//! Setting up departments and agents (the CLI and the demo use these).

use sea_orm::TransactionTrait;

use super::{Service, ServiceError, hash_password};
use crate::{
    domain::{AgentId, DepartmentId, Role},
    store::{self, OnUnique},
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

    /// Creates an agent with a hashed password; refuses a taken login (decided by the database,
    /// so of two concurrent adds of one login exactly one succeeds) or an unknown department.
    pub async fn add_agent(
        db: &sea_orm::DatabaseConnection,
        input: NewAgentInput<'_>,
    ) -> Result<AgentId, ServiceError> {
        refuse_nul(&[input.login, input.name, input.password])?;
        let login = input.login.trim();
        if login.is_empty() || login.chars().count() > 64 {
            return Err(ServiceError::Invalid(
                "a login has 1 to 64 characters".to_owned(),
            ));
        }
        if input.password.chars().count() < 4 {
            return Err(ServiceError::Invalid(
                "a password has at least 4 characters".to_owned(),
            ));
        }
        let mut department_ids = Vec::new();
        for name in input.departments {
            let department = store::departments::find_by_name(db, name)
                .await?
                .ok_or_else(|| ServiceError::Invalid(format!("no department called {name:?}")))?;
            department_ids.push(department.id);
        }
        let password = input.password.to_owned();
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| ServiceError::Other(e.into()))??;
        let txn = db.begin().await?;
        let agent = store::agents::create(
            &txn,
            store::agents::NewAgent {
                login,
                name: input.name,
                password_hash: &hash,
                role: input.role,
                departments: &department_ids,
            },
        )
        .await
        .on_unique(|| ServiceError::Conflict(format!("login {login:?} is taken")))?;
        txn.commit().await?;
        Ok(agent.id)
    }
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
