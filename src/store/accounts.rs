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
