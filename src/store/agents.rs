//! Agents and the departments they work in.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use super::entity::{agent, agent_department};
use crate::{
    domain::{AgentId, DepartmentId, Role},
    views::{AgentView, DepartmentRef},
};

/// What it takes to create an agent.
pub struct NewAgent<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub departments: &'a [DepartmentId],
}

/// Creates an agent and their department memberships; call it in a transaction. A taken login
/// fails with a unique violation.
pub async fn create<C>(c: &C, new: NewAgent<'_>) -> Result<agent::Model, DbErr>
where
    C: ConnectionTrait,
{
    let agent = agent::ActiveModel {
        login: Set(new.login.to_owned()),
        display_name: Set(new.name.to_owned()),
        password_hash: Set(new.password_hash.to_owned()),
        role: Set(new.role),
        active: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(c)
    .await?;
    for department_id in new.departments {
        agent_department::Entity::insert(agent_department::ActiveModel {
            agent_id: Set(agent.id),
            department_id: Set(*department_id),
        })
        .exec_without_returning(c)
        .await?;
    }
    Ok(agent)
}

/// Finds an active agent by login.
pub async fn find_by_login<C>(c: &C, login: &str) -> Result<Option<agent::Model>, DbErr>
where
    C: ConnectionTrait,
{
    agent::Entity::find()
        .filter(agent::Column::Login.eq(login))
        .filter(agent::Column::Active.eq(true))
        .one(c)
        .await
}

/// Loads an active agent with their departments.
pub async fn view<C>(c: &C, id: AgentId) -> Result<Option<AgentView>, DbErr>
where
    C: ConnectionTrait,
{
    let Some(agent) = agent::Entity::find_by_id(id)
        .filter(agent::Column::Active.eq(true))
        .one(c)
        .await?
    else {
        return Ok(None);
    };
    let memberships = agent_department::Entity::find()
        .filter(agent_department::Column::AgentId.eq(id))
        .all(c)
        .await?;
    let mut departments: Vec<DepartmentRef> =
        super::departments::by_ids(c, memberships.iter().map(|m| m.department_id).collect())
            .await?
            .into_iter()
            .map(|d| DepartmentRef {
                id: d.id,
                name: d.name,
            })
            .collect();
    departments.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Some(AgentView {
        id: agent.id,
        login: agent.login,
        name: agent.display_name,
        role: agent.role,
        departments,
    }))
}

/// Display names of the agents with these ids.
pub async fn names<C>(c: &C, ids: Vec<AgentId>) -> Result<HashMap<AgentId, String>, DbErr>
where
    C: ConnectionTrait,
{
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(agent::Entity::find()
        .filter(agent::Column::Id.is_in(ids))
        .all(c)
        .await?
        .into_iter()
        .map(|a| (a.id, a.display_name))
        .collect())
}
