use sea_orm::entity::prelude::*;

use crate::domain::{CannedId, DepartmentId};

/// A department's ready-made reply, inserted by typing `/` and its shortcut.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "canned_responses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: CannedId,
    pub department_id: DepartmentId,
    pub shortcut: String,
    pub title: String,
    pub text: String,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
