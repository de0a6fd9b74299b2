//! Agents and the departments they work in.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use super::{
    entity::{agent, agent_department},
    paging::{Page, split},
};
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

/// The role and departments of those of these agents that are active; two queries.
pub async fn access_of<C>(
    c: &C,
    ids: Vec<AgentId>,
) -> Result<HashMap<AgentId, (crate::domain::Role, Vec<DepartmentId>)>, DbErr>
where
    C: ConnectionTrait,
{
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut access: HashMap<AgentId, (crate::domain::Role, Vec<DepartmentId>)> =
        agent::Entity::find()
            .filter(agent::Column::Id.is_in(ids.clone()))
            .filter(agent::Column::Active.eq(true))
            .all(c)
            .await?
            .into_iter()
            .map(|a| (a.id, (a.role, Vec::new())))
            .collect();
    for m in agent_department::Entity::find()
        .filter(agent_department::Column::AgentId.is_in(ids))
        .all(c)
        .await?
    {
        if let Some((_, departments)) = access.get_mut(&m.agent_id) {
            departments.push(m.department_id);
        }
    }
    Ok(access)
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

/// A page of the active agents with their departments, by name then id, after the agent with
/// key `(name, id)`, and the key of the next page when more remain; three queries however many
/// agents.
pub async fn list_active<C>(
    c: &C,
    page: Page<(String, AgentId)>,
) -> Result<(Vec<AgentView>, Option<(String, AgentId)>), DbErr>
where
    C: ConnectionTrait,
{
    use sea_orm::{Condition, QueryOrder, QuerySelect};
    let mut query = agent::Entity::find().filter(agent::Column::Active.eq(true));
    if let Some((name, id)) = &page.after {
        query = query.filter(
            Condition::any()
                .add(agent::Column::DisplayName.gt(name.clone()))
                .add(
                    Condition::all()
                        .add(agent::Column::DisplayName.eq(name.clone()))
                        .add(agent::Column::Id.gt(*id)),
                ),
        );
    }
    let agents = query
        .order_by_asc(agent::Column::DisplayName)
        .order_by_asc(agent::Column::Id)
        .limit(page.fetch())
        .all(c)
        .await?;
    let (agents, next) = split(agents, page.limit, |a| (a.display_name.clone(), a.id));
    let memberships = agent_department::Entity::find()
        .filter(agent_department::Column::AgentId.is_in(agents.iter().map(|a| a.id)))
        .all(c)
        .await?;
    let departments: HashMap<DepartmentId, String> =
        super::departments::by_ids(c, memberships.iter().map(|m| m.department_id).collect())
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
    let mut of_agent: HashMap<AgentId, Vec<DepartmentRef>> = HashMap::new();
    for m in memberships {
        if let Some(name) = departments.get(&m.department_id) {
            of_agent.entry(m.agent_id).or_default().push(DepartmentRef {
                id: m.department_id,
                name: name.clone(),
            });
        }
    }
    let views = agents
        .into_iter()
        .map(|a| {
            let mut departments = of_agent.remove(&a.id).unwrap_or_default();
            departments.sort_by(|x, y| x.name.cmp(&y.name));
            AgentView {
                id: a.id,
                login: a.login,
                name: a.display_name,
                role: a.role,
                departments,
            }
        })
        .collect();
    Ok((views, next))
}
