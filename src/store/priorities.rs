//! Priorities: a ticket keeps the higher of its client's and its department's priority, set when it
//! opens, on every move (`tickets::transition`), and for open tickets when either priority changes.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, sea_query::Expr};

use super::entity::{client, department, ticket};
use crate::domain::{ClientId, DepartmentId, Priority, TicketStatus};

/// The priority a ticket of `client_id` in `department_id` has.
pub async fn of_ticket<C>(
    c: &C,
    client_id: ClientId,
    department_id: DepartmentId,
) -> Result<Priority, DbErr>
where
    C: ConnectionTrait,
{
    let client = client::Entity::find_by_id(client_id)
        .one(c)
        .await?
        .map(|row| row.priority)
        .unwrap_or_default();
    let department = department::Entity::find_by_id(department_id)
        .one(c)
        .await?
        .map(|row| row.priority)
        .unwrap_or_default();
    Ok(client.max(department))
}

/// The value of a `tickets.priority` for a ticket in `department_id` as an expression of an
/// UPDATE of `tickets`: the higher of its client's and that department's.
pub fn ticket_priority_in(department_id: DepartmentId) -> Expr {
    // Both values are numbers from typed ids: nothing from outside reaches the SQL text.
    let client = "(SELECT clients.priority FROM clients WHERE clients.id = tickets.client_id)";
    let department = format!(
        "(SELECT departments.priority FROM departments WHERE departments.id = {department_id})"
    );
    Expr::cust(format!(
        "CASE WHEN {client} > {department} THEN {client} ELSE {department} END"
    ))
}

/// The same for a ticket in the department it is in.
fn ticket_priority_here() -> Expr {
    let client = "(SELECT clients.priority FROM clients WHERE clients.id = tickets.client_id)";
    let department = "(SELECT departments.priority FROM departments \
                      WHERE departments.id = tickets.department_id)";
    Expr::cust(format!(
        "CASE WHEN {client} > {department} THEN {client} ELSE {department} END"
    ))
}

/// Sets a client's priority and their open tickets'; false when there is no such client.
pub async fn set_client<C>(c: &C, id: ClientId, priority: Priority) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let changed = client::Entity::update_many()
        .col_expr(client::Column::Priority, Expr::value(priority))
        .filter(client::Column::Id.eq(id))
        .exec(c)
        .await?;
    if changed.rows_affected == 0 {
        return Ok(false);
    }
    ticket::Entity::update_many()
        .col_expr(ticket::Column::Priority, ticket_priority_here())
        .filter(ticket::Column::ClientId.eq(id))
        .filter(ticket::Column::Status.ne(TicketStatus::Closed))
        .exec(c)
        .await?;
    Ok(true)
}

/// Recomputes the priority of a department's open tickets (after its priority changed).
pub async fn refresh_department<C>(c: &C, id: DepartmentId) -> Result<u64, DbErr>
where
    C: ConnectionTrait,
{
    let result = ticket::Entity::update_many()
        .col_expr(ticket::Column::Priority, ticket_priority_here())
        .filter(ticket::Column::DepartmentId.eq(id))
        .filter(ticket::Column::Status.ne(TicketStatus::Closed))
        .exec(c)
        .await?;
    Ok(result.rows_affected)
}
