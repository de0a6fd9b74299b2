//! Admins manage agents: list them (disabled ones too), create them, change their name, role,
//! departments and access, and reset their password. A disable or a password reset ends the
//! agent's sessions; any change to what an agent may reach tells every instance at once (a
//! control entry in the event log), whose open consoles close or re-scope. At least one enabled
//! admin always remains. Every change is audited in its own transaction.

use sea_orm::{DatabaseConnection, DatabaseTransaction};
use serde_json::{Map, Value, json};

use super::{
    Actor, Service, ServiceError, admin::admin_only, bot_texts::audit_actor, hash_password,
};
use crate::{
    domain::{AgentId, DepartmentId, Role},
    hub::Control,
    store::{self, OnUnique, audit::AuditActor, entity::agent},
    views::AdminAgentView,
};

/// The longest password taken (hashing is the expensive part, so it is bounded).
pub const MAX_PASSWORD_CHARS: usize = 1_024;
/// The most departments one agent may be given.
pub const MAX_AGENT_DEPARTMENTS: usize = 500;

/// An agent as an admin creates them.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    pub login: String,
    pub name: String,
    pub password: String,
    pub role: Role,
    #[serde(default)]
    pub departments: Vec<DepartmentId>,
}

/// Changes to an agent; what is missing stays.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentChanges {
    pub name: Option<String>,
    pub role: Option<Role>,
    /// Replaces the agent's departments.
    pub departments: Option<Vec<DepartmentId>>,
    /// False disables the agent (their sessions end at once); true enables them again.
    pub active: Option<bool>,
}

impl Service {
    /// Up to `limit` agents, disabled ones too, by id after `after`, and the id the next page
    /// starts after when more may remain (admins only).
    pub async fn admin_agents(
        &self,
        actor: &Actor,
        limit: u64,
        after: Option<AgentId>,
    ) -> Result<(Vec<AdminAgentView>, Option<AgentId>), ServiceError> {
        admin_only(actor)?;
        let rows = store::accounts::page(&self.db, limit, after).await?;
        let next = (rows.len() as u64 == limit)
            .then(|| rows.last().map(|(a, _)| a.id))
            .flatten();
        Ok((rows.into_iter().map(|(a, d)| view(a, d)).collect(), next))
    }

    /// Creates an agent (admins only); a taken login is a conflict, an unknown department a bad
    /// value.
    pub async fn create_agent(
        &self,
        actor: &Actor,
        input: NewAgent,
    ) -> Result<AdminAgentView, ServiceError> {
        admin_only(actor)?;
        let id = Self::create_agent_as(&self.db, &audit_actor(actor), input).await?;
        self.admin_agent(id).await
    }

    /// Changes an agent (admins only); see `AgentChanges`. Refuses to leave no enabled admin (409).
    pub async fn change_agent(
        &self,
        actor: &Actor,
        id: AgentId,
        changes: AgentChanges,
    ) -> Result<AdminAgentView, ServiceError> {
        admin_only(actor)?;
        let txn = store::begin_write(&self.db).await?;
        let access_changed = change_in(&txn, &audit_actor(actor), id, &changes).await?;
        if access_changed {
            self.commit_control(txn, Control::Access).await?;
        } else {
            txn.commit().await?;
        }
        self.admin_agent(id).await
    }

    /// Sets a new password for an agent and ends their sessions (admins only).
    pub async fn reset_password(
        &self,
        actor: &Actor,
        id: AgentId,
        password: &str,
    ) -> Result<(), ServiceError> {
        admin_only(actor)?;
        let hash = hashed(password).await?;
        let txn = store::begin_write(&self.db).await?;
        password_in(&txn, &audit_actor(actor), id, &hash).await?;
        self.commit_control(txn, Control::Access).await?;
        Ok(())
    }

    /// Creates an agent on behalf of `actor` (the console's admin or the command line).
    pub async fn create_agent_as(
        db: &DatabaseConnection,
        actor: &AuditActor,
        input: NewAgent,
    ) -> Result<AgentId, ServiceError> {
        super::admin::refuse_nul(&[&input.login, &input.name, &input.password])?;
        let login = input.login.trim();
        if login.is_empty() || login.chars().count() > 64 {
            return Err(ServiceError::Invalid(
                "a login has 1 to 64 characters".to_owned(),
            ));
        }
        let name = checked_name(&input.name)?;
        let departments = checked_departments(db, &input.departments).await?;
        let hash = hashed(&input.password).await?;
        let txn = store::begin_write(db).await?;
        let agent = store::agents::create(
            &txn,
            store::agents::NewAgent {
                login,
                name: &name,
                password_hash: &hash,
                role: input.role,
                departments: &departments,
            },
        )
        .await
        .on_unique(|| ServiceError::Conflict(format!("login {login:?} is taken")))?;
        store::audit::record(
            &txn,
            actor,
            "agent.created",
            &format!("agent:{}", agent.id),
            json!({
                "login": login,
                "name": name,
                "role": input.role,
                "departments": departments,
            }),
        )
        .await?;
        txn.commit().await?;
        tracing::info!(agent.id = %agent.id, "agent created");
        Ok(agent.id)
    }

    /// Changes an agent on behalf of the command line (see `change_agent`).
    pub async fn change_agent_as(
        db: &DatabaseConnection,
        actor: &AuditActor,
        id: AgentId,
        changes: AgentChanges,
    ) -> Result<(), ServiceError> {
        let txn = store::begin_write(db).await?;
        change_in(&txn, actor, id, &changes).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Sets an agent's password on behalf of the command line and ends their sessions.
    pub async fn set_password_as(
        db: &DatabaseConnection,
        actor: &AuditActor,
        id: AgentId,
        password: &str,
    ) -> Result<(), ServiceError> {
        let hash = hashed(password).await?;
        let txn = store::begin_write(db).await?;
        password_in(&txn, actor, id, &hash).await?;
        txn.commit().await?;
        Ok(())
    }

    async fn admin_agent(&self, id: AgentId) -> Result<AdminAgentView, ServiceError> {
        let (agent, departments) = store::accounts::find(&self.db, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(view(agent, departments))
    }
}

/// Applies `changes` to agent `id` in `txn` with its audit row; true when what the agent may
/// reach changed (role, departments, access), so open consoles must be told.
async fn change_in(
    txn: &DatabaseTransaction,
    actor: &AuditActor,
    id: AgentId,
    changes: &AgentChanges,
) -> Result<bool, ServiceError> {
    if let Some(name) = &changes.name {
        super::admin::refuse_nul(&[name])?;
    }
    // Who is an enabled admin is decided one change at a time.
    store::accounts::lock_roster(txn).await?;
    let (agent, departments) = store::accounts::find(txn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let name = changes.name.as_deref().map(checked_name).transpose()?;
    let new_departments = match &changes.departments {
        Some(ids) => Some(checked_departments(txn, ids).await?),
        None => None,
    };
    let was_admin = agent.active && agent.role == Role::Admin;
    let active = changes.active.unwrap_or(agent.active);
    let role = changes.role.unwrap_or(agent.role);
    if was_admin
        && !(active && role == Role::Admin)
        && store::accounts::enabled_admins(txn).await? <= 1
    {
        return Err(ServiceError::Conflict(
            "this would leave no enabled admin; make another admin first".to_owned(),
        ));
    }
    let mut details = Map::new();
    let mut note = |field: &str, from: Value, to: Value| {
        if from != to {
            details.insert(field.to_owned(), json!({ "from": from, "to": to }));
        }
    };
    if let Some(name) = &name {
        note("name", json!(agent.display_name), json!(name));
    }
    note("role", json!(agent.role), json!(role));
    note("active", json!(agent.active), json!(active));
    if let Some(new) = &new_departments {
        let (mut from, mut to) = (departments.clone(), new.clone());
        from.sort_unstable();
        to.sort_unstable();
        note("departments", json!(from), json!(to));
    }
    if details.is_empty() {
        return Ok(false);
    }
    let access_changed = details.contains_key("role")
        || details.contains_key("active")
        || details.contains_key("departments");
    store::accounts::set_role_and_name(
        txn,
        id,
        changes.role.filter(|r| *r != agent.role),
        name.as_deref(),
    )
    .await?;
    if let Some(new) = &new_departments {
        store::accounts::set_departments(txn, id, new).await?;
    }
    if active != agent.active {
        store::accounts::set_active(txn, id, active).await?;
        if !active {
            store::accounts::end_sessions(txn, id).await?;
        }
    }
    let action = match (agent.active, active) {
        (true, false) => "agent.disabled",
        (false, true) => "agent.enabled",
        _ => "agent.changed",
    };
    store::audit::record(
        txn,
        actor,
        action,
        &format!("agent:{id}"),
        Value::Object(details),
    )
    .await?;
    tracing::info!(agent.id = %id, action, "agent changed");
    Ok(access_changed)
}

/// Sets the password hash of agent `id` in `txn`, ends their sessions and audits it (without the
/// password).
async fn password_in(
    txn: &DatabaseTransaction,
    actor: &AuditActor,
    id: AgentId,
    hash: &str,
) -> Result<(), ServiceError> {
    if !store::accounts::set_password_hash(txn, id, hash).await? {
        return Err(ServiceError::NotFound);
    }
    let ended = store::accounts::end_sessions(txn, id).await?;
    store::audit::record(
        txn,
        actor,
        "agent.password_reset",
        &format!("agent:{id}"),
        json!({ "sessions_ended": ended }),
    )
    .await?;
    tracing::info!(agent.id = %id, "password changed; sessions ended");
    Ok(())
}

/// The argon2 hash of a usable password (4 to 1,024 characters).
async fn hashed(password: &str) -> Result<String, ServiceError> {
    super::admin::refuse_nul(&[password])?;
    let length = password.chars().count();
    if length < 4 {
        return Err(ServiceError::Invalid(
            "a password has at least 4 characters".to_owned(),
        ));
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(ServiceError::Invalid(format!(
            "a password has at most {MAX_PASSWORD_CHARS} characters"
        )));
    }
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ServiceError::Other(e.into()))?
        .map_err(ServiceError::Other)
}

/// A display name trimmed, 1 to 200 characters.
fn checked_name(name: &str) -> Result<String, ServiceError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ServiceError::Invalid(
            "a name has 1 to 200 characters".to_owned(),
        ));
    }
    Ok(name.to_owned())
}

/// The departments named, each existing, without repeats.
async fn checked_departments<C>(
    c: &C,
    ids: &[DepartmentId],
) -> Result<Vec<DepartmentId>, ServiceError>
where
    C: sea_orm::ConnectionTrait,
{
    if ids.len() > MAX_AGENT_DEPARTMENTS {
        return Err(ServiceError::Invalid(format!(
            "an agent has at most {MAX_AGENT_DEPARTMENTS} departments"
        )));
    }
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let found = store::departments::by_ids(c, ids.clone()).await?;
    if let Some(missing) = ids.iter().find(|id| !found.iter().any(|d| d.id == **id)) {
        return Err(ServiceError::Invalid(format!(
            "there is no department {missing}"
        )));
    }
    Ok(ids)
}

fn view(agent: agent::Model, mut departments: Vec<DepartmentId>) -> AdminAgentView {
    departments.sort_unstable();
    AdminAgentView {
        id: agent.id,
        login: agent.login,
        name: agent.display_name,
        role: agent.role,
        active: agent.active,
        departments,
    }
}
