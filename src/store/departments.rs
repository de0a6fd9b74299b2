//! Departments: the queues tickets are routed to, and the teams customers choose from.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use super::{
    entity::{agent, agent_department, department},
    paging::{Page, split},
};
use crate::domain::{AgentId, DepartmentId};

/// A department to create, its values already checked.
#[derive(Debug, Clone)]
pub struct NewDepartment {
    pub name: String,
    pub label: String,
    pub slug: String,
    pub open: bool,
    /// None puts it after every other department.
    pub position: Option<i32>,
    /// Appended to agents' text replies; None for no signature.
    pub signature: Option<String>,
    /// What the bot sends a customer whose ticket lands here; None for nothing.
    pub greeting: Option<String>,
    /// `sound` or `silent`.
    pub alert: String,
    pub priority: crate::domain::Priority,
    pub first_response_target_secs: Option<i32>,
}

/// The changes to a department, values already checked; None leaves a value as it is.
#[derive(Debug, Clone, Default)]
pub struct DepartmentPatch {
    pub name: Option<String>,
    pub label: Option<String>,
    pub slug: Option<String>,
    pub open: Option<bool>,
    pub position: Option<i32>,
    /// Some(None) removes the signature.
    pub signature: Option<Option<String>>,
    pub archived: Option<bool>,
    /// Some(None) removes the greeting.
    pub greeting: Option<Option<String>>,
    pub alert: Option<String>,
    pub priority: Option<crate::domain::Priority>,
    /// Some(None) removes the target.
    pub first_response_target_secs: Option<Option<i32>>,
}

/// Finds a department by its exact name.
pub async fn find_by_name<C>(c: &C, name: &str) -> Result<Option<department::Model>, DbErr>
where
    C: ConnectionTrait,
{
    department::Entity::find()
        .filter(department::Column::Name.eq(name))
        .one(c)
        .await
}

/// Finds a department by its slug.
pub async fn find_by_slug<C>(c: &C, slug: &str) -> Result<Option<department::Model>, DbErr>
where
    C: ConnectionTrait,
{
    department::Entity::find()
        .filter(department::Column::Slug.eq(slug))
        .one(c)
        .await
}

/// Finds a department by id.
pub async fn find<C>(c: &C, id: DepartmentId) -> Result<Option<department::Model>, DbErr>
where
    C: ConnectionTrait,
{
    department::Entity::find_by_id(id).one(c).await
}

/// Creates a department; a taken name or slug is a unique violation.
pub async fn create<C>(c: &C, new: NewDepartment) -> Result<department::Model, DbErr>
where
    C: ConnectionTrait,
{
    let position = match new.position {
        Some(position) => position,
        None => next_position(c).await?,
    };
    department::ActiveModel {
        name: Set(new.name),
        label: Set(new.label),
        slug: Set(new.slug),
        open: Set(new.open),
        position: Set(position),
        created_at: Set(Utc::now()),
        signature: Set(new.signature),
        archived: Set(false),
        greeting: Set(new.greeting),
        alert: Set(new.alert),
        priority: Set(new.priority),
        first_response_target_secs: Set(new.first_response_target_secs),
        ..Default::default()
    }
    .insert(c)
    .await
}

/// Changes a department; None when there is no such department. A taken name or slug is a unique
/// violation.
pub async fn update<C>(
    c: &C,
    id: DepartmentId,
    patch: DepartmentPatch,
) -> Result<Option<department::Model>, DbErr>
where
    C: ConnectionTrait,
{
    let Some(found) = find(c, id).await? else {
        return Ok(None);
    };
    let mut row: department::ActiveModel = found.into();
    if let Some(name) = patch.name {
        row.name = Set(name);
    }
    if let Some(label) = patch.label {
        row.label = Set(label);
    }
    if let Some(slug) = patch.slug {
        row.slug = Set(slug);
    }
    if let Some(open) = patch.open {
        row.open = Set(open);
    }
    if let Some(position) = patch.position {
        row.position = Set(position);
    }
    if let Some(signature) = patch.signature {
        row.signature = Set(signature);
    }
    if let Some(archived) = patch.archived {
        row.archived = Set(archived);
    }
    if let Some(greeting) = patch.greeting {
        row.greeting = Set(greeting);
    }
    if let Some(alert) = patch.alert {
        row.alert = Set(alert);
    }
    if let Some(priority) = patch.priority {
        row.priority = Set(priority);
    }
    if let Some(target) = patch.first_response_target_secs {
        row.first_response_target_secs = Set(target);
    }
    let row = row.update(c).await?;
    if patch.priority.is_some() {
        super::priorities::refresh_department(c, id).await?;
    }
    Ok(Some(row))
}

/// A page of the departments by position then id, after the department with key
/// `(position, id)`, and the key of the next page when more remain. (A few rows: no index.)
pub async fn list<C>(
    c: &C,
    page: Page<(i32, DepartmentId)>,
) -> Result<(Vec<department::Model>, Option<(i32, DepartmentId)>), DbErr>
where
    C: ConnectionTrait,
{
    let mut query = department::Entity::find();
    if let Some((position, id)) = page.after {
        query = query.filter(
            Condition::any()
                .add(department::Column::Position.gt(position))
                .add(
                    Condition::all()
                        .add(department::Column::Position.eq(position))
                        .add(department::Column::Id.gt(id)),
                ),
        );
    }
    let rows = query
        .order_by_asc(department::Column::Position)
        .order_by_asc(department::Column::Id)
        .limit(page.fetch())
        .all(c)
        .await?;
    Ok(split(rows, page.limit, |d| (d.position, d.id)))
}

/// The departments open to customers (open and not archived), by position (then id).
pub async fn open<C>(c: &C) -> Result<Vec<department::Model>, DbErr>
where
    C: ConnectionTrait,
{
    department::Entity::find()
        .filter(department::Column::Open.eq(true))
        .filter(department::Column::Archived.eq(false))
        .order_by_asc(department::Column::Position)
        .order_by_asc(department::Column::Id)
        .all(c)
        .await
}

/// The departments with these ids.
pub async fn by_ids<C>(c: &C, ids: Vec<DepartmentId>) -> Result<Vec<department::Model>, DbErr>
where
    C: ConnectionTrait,
{
    department::Entity::find()
        .filter(department::Column::Id.is_in(ids))
        .all(c)
        .await
}

/// The active agents of every department, by name: department → [(agent id, display name)].
pub async fn agents<C>(c: &C) -> Result<HashMap<DepartmentId, Vec<(AgentId, String)>>, DbErr>
where
    C: ConnectionTrait,
{
    let memberships = agent_department::Entity::find().all(c).await?;
    let names: HashMap<AgentId, String> = agent::Entity::find()
        .filter(agent::Column::Active.eq(true))
        .all(c)
        .await?
        .into_iter()
        .map(|a| (a.id, a.display_name))
        .collect();
    let mut by_department: HashMap<DepartmentId, Vec<(AgentId, String)>> = HashMap::new();
    for membership in memberships {
        if let Some(name) = names.get(&membership.agent_id) {
            by_department
                .entry(membership.department_id)
                .or_default()
                .push((membership.agent_id, name.clone()));
        }
    }
    for agents in by_department.values_mut() {
        agents.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.0.cmp(&b.0.0)));
    }
    Ok(by_department)
}

/// One past the highest position.
async fn next_position<C>(c: &C) -> Result<i32, DbErr>
where
    C: ConnectionTrait,
{
    let highest: Option<Option<i32>> = department::Entity::find()
        .select_only()
        .column_as(department::Column::Position.max(), "highest")
        .into_tuple()
        .one(c)
        .await?;
    Ok(highest.flatten().map_or(0, |p| p + 1))
}
