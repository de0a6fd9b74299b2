//! Canned responses: a department's ready-made replies (unique shortcut per department).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::{
    entity::canned_response,
    paging::{Page, split},
};
use crate::domain::{CannedId, DepartmentId, Scope};

/// A canned response to store.
#[derive(Debug, Clone)]
pub struct NewCanned {
    pub department: DepartmentId,
    pub shortcut: String,
    pub title: String,
    pub text: String,
}

/// Finds a canned response by id.
pub async fn find<C>(c: &C, id: CannedId) -> Result<Option<canned_response::Model>, DbErr>
where
    C: ConnectionTrait,
{
    canned_response::Entity::find_by_id(id).one(c).await
}

/// A page of the canned responses of the scope's departments (or of one of them), by id, and the
/// cursor of the next page when more remain.
pub async fn list<C>(
    c: &C,
    scope: &Scope,
    department: Option<DepartmentId>,
    page: Page<CannedId>,
) -> Result<(Vec<canned_response::Model>, Option<CannedId>), DbErr>
where
    C: ConnectionTrait,
{
    let mut query = canned_response::Entity::find();
    if let Some(department) = department {
        query = query.filter(canned_response::Column::DepartmentId.eq(department));
    }
    if let Scope::Departments(ids) = scope {
        query = query.filter(canned_response::Column::DepartmentId.is_in(ids.iter().copied()));
    }
    if let Some(after) = page.after {
        query = query.filter(canned_response::Column::Id.gt(after));
    }
    let rows = query
        .order_by_asc(canned_response::Column::Id)
        .limit(page.fetch())
        .all(c)
        .await?;
    Ok(split(rows, page.limit, |r| r.id))
}

/// Stores a canned response; a shortcut the department already has is a unique violation.
pub async fn insert<C>(
    c: &C,
    new: NewCanned,
    now: DateTime<Utc>,
) -> Result<canned_response::Model, DbErr>
where
    C: ConnectionTrait,
{
    canned_response::ActiveModel {
        department_id: Set(new.department),
        shortcut: Set(new.shortcut),
        title: Set(new.title),
        text: Set(new.text),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(c)
    .await
}

/// Writes changed values of a canned response; a shortcut the department already has is a
/// unique violation.
pub async fn update<C>(
    c: &C,
    row: canned_response::Model,
    new: NewCanned,
    now: DateTime<Utc>,
) -> Result<canned_response::Model, DbErr>
where
    C: ConnectionTrait,
{
    let mut active: canned_response::ActiveModel = row.into();
    active.department_id = Set(new.department);
    active.shortcut = Set(new.shortcut);
    active.title = Set(new.title);
    active.text = Set(new.text);
    active.updated_at = Set(now);
    active.update(c).await
}

/// Deletes a canned response; false when it was gone.
pub async fn delete<C>(c: &C, id: CannedId) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let result = canned_response::Entity::delete_by_id(id).exec(c).await?;
    Ok(result.rows_affected == 1)
}
