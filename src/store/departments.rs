//! Departments: the queues tickets are routed to.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use super::entity::department;
use crate::domain::DepartmentId;

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

/// Creates a department.
pub async fn create<C>(c: &C, name: &str) -> Result<department::Model, DbErr>
where
    C: ConnectionTrait,
{
    department::ActiveModel {
        name: Set(name.to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(c)
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
