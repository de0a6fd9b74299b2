//! Changes to an agent's account: password, active flag, departments.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set, sea_query::Expr,
};

use super::entity::{agent, agent_department, session};
use crate::domain::{AgentId, DepartmentId};

/// The id of the agent with this login, active or not.
pub async fn id_of_login<C>(c: &C, login: &str) -> Result<Option<AgentId>, DbErr>
where
    C: ConnectionTrait,
{
    Ok(agent::Entity::find()
        .filter(agent::Column::Login.eq(login))
        .one(c)
        .await?
        .map(|a| a.id))
}

/// Sets an agent's password hash; false when there is no such agent.
pub async fn set_password_hash<C>(c: &C, id: AgentId, hash: &str) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let result = agent::Entity::update_many()
        .col_expr(agent::Column::PasswordHash, Expr::value(hash.to_owned()))
        .filter(agent::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Enables or disables an agent; false when there is no such agent.
pub async fn set_active<C>(c: &C, id: AgentId, active: bool) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let result = agent::Entity::update_many()
        .col_expr(agent::Column::Active, Expr::value(active))
        .filter(agent::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Replaces an agent's departments.
pub async fn set_departments<C>(
    c: &C,
    id: AgentId,
    departments: &[DepartmentId],
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    agent_department::Entity::delete_many()
        .filter(agent_department::Column::AgentId.eq(id))
        .exec(c)
        .await?;
    for department_id in departments {
        agent_department::Entity::insert(agent_department::ActiveModel {
            agent_id: Set(id),
            department_id: Set(*department_id),
        })
        .exec_without_returning(c)
        .await?;
    }
    Ok(())
}

/// Ends every session of an agent.
pub async fn end_sessions<C>(c: &C, id: AgentId) -> Result<u64, DbErr>
where
    C: ConnectionTrait,
{
    Ok(session::Entity::delete_many()
        .filter(session::Column::AgentId.eq(id))
        .exec(c)
        .await?
        .rows_affected)
}

/// An agent with their department ids, active or not.
pub async fn find<C>(c: &C, id: AgentId) -> Result<Option<(agent::Model, Vec<DepartmentId>)>, DbErr>
where
    C: ConnectionTrait,
{
    let Some(agent) = agent::Entity::find_by_id(id).one(c).await? else {
        return Ok(None);
    };
    let departments = agent_department::Entity::find()
        .filter(agent_department::Column::AgentId.eq(id))
        .all(c)
        .await?
        .into_iter()
        .map(|m| m.department_id)
        .collect();
    Ok(Some((agent, departments)))
}

/// Up to `limit` agents, active or not, by id after `after`, each with their department ids; two
/// queries.
pub async fn page<C>(
    c: &C,
    limit: u64,
    after: Option<AgentId>,
) -> Result<Vec<(agent::Model, Vec<DepartmentId>)>, DbErr>
where
    C: ConnectionTrait,
{
    use sea_orm::{QueryOrder, QuerySelect};
    let mut query = agent::Entity::find();
    if let Some(after) = after {
        query = query.filter(agent::Column::Id.gt(after));
    }
    let agents = query
        .order_by_asc(agent::Column::Id)
        .limit(limit)
        .all(c)
        .await?;
    let mut memberships: std::collections::HashMap<AgentId, Vec<DepartmentId>> =
        std::collections::HashMap::new();
    for m in agent_department::Entity::find()
        .filter(agent_department::Column::AgentId.is_in(agents.iter().map(|a| a.id)))
        .all(c)
        .await?
    {
        memberships
            .entry(m.agent_id)
            .or_default()
            .push(m.department_id);
    }
    Ok(agents
        .into_iter()
        .map(|a| {
            let departments = memberships.remove(&a.id).unwrap_or_default();
            (a, departments)
        })
        .collect())
}

/// Sets an agent's role and display name (None leaves each as it is).
pub async fn set_role_and_name<C>(
    c: &C,
    id: AgentId,
    role: Option<crate::domain::Role>,
    name: Option<&str>,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    if role.is_none() && name.is_none() {
        return Ok(());
    }
    let mut update = agent::Entity::update_many().filter(agent::Column::Id.eq(id));
    if let Some(role) = role {
        update = update.col_expr(agent::Column::Role, Expr::value(role));
    }
    if let Some(name) = name {
        update = update.col_expr(agent::Column::DisplayName, Expr::value(name.to_owned()));
    }
    update.exec(c).await?;
    Ok(())
}

/// How many enabled admins there are.
pub async fn enabled_admins<C>(c: &C) -> Result<u64, DbErr>
where
    C: ConnectionTrait,
{
    use sea_orm::PaginatorTrait;
    agent::Entity::find()
        .filter(agent::Column::Role.eq(crate::domain::Role::Admin))
        .filter(agent::Column::Active.eq(true))
        .count(c)
        .await
}

/// Serializes changes to who is an enabled admin for the rest of the transaction: on PostgreSQL a
/// transaction-level advisory lock ("SWBTADMN"); on SQLite the write transaction (`begin_write`)
/// already holds the database's write lock.
pub async fn lock_roster<C>(c: &C) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    if super::is_postgres(c) {
        c.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [0x5357_4254_4144_4d4e_i64.into()],
        ))
        .await?;
    }
    Ok(())
}
