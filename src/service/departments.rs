//! Departments: listing them with their agents, and creating and changing them (admins, the CLI).

use sea_orm::DatabaseConnection;

use super::{Actor, Service, ServiceError};
use crate::{
    domain::{self, AgentId, DepartmentError, DepartmentId, Presence, Role},
    store::{
        self,
        departments::{DepartmentPatch, NewDepartment},
        entity::department,
    },
    views::{DepartmentAgentView, DepartmentView},
};

/// A department to create, as typed by an admin; missing values get defaults (label = name, slug
/// from the name, open, last position).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DepartmentInput {
    pub name: String,
    pub label: Option<String>,
    pub slug: Option<String>,
    pub open: Option<bool>,
    pub position: Option<i32>,
    /// Appended to agents' text replies (at most 200 characters); empty for none.
    pub signature: Option<String>,
}

/// Changes to a department as typed by an admin; what is missing stays.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DepartmentChanges {
    pub name: Option<String>,
    pub label: Option<String>,
    pub slug: Option<String>,
    pub open: Option<bool>,
    pub position: Option<i32>,
    /// Appended to agents' text replies (at most 200 characters); empty for none.
    pub signature: Option<String>,
    /// Its lifecycle timers and business hours.
    #[serde(flatten)]
    pub timers: super::TimerChanges,
}

impl Service {
    /// A page of the departments by position then id, after the department `page.after`, with
    /// their agents and presence, and the department the next page continues after when more
    /// remain. Any agent may look. A cursor naming no department is refused.
    pub async fn departments(
        &self,
        _actor: &Actor,
        page: store::paging::Page<DepartmentId>,
    ) -> Result<(Vec<DepartmentView>, Option<DepartmentId>), ServiceError> {
        let after = match page.after {
            None => None,
            Some(id) => {
                let row = store::departments::find(&self.db, id)
                    .await?
                    .ok_or_else(|| {
                        ServiceError::Invalid(format!("after names no department {id}"))
                    })?;
                Some((row.position, row.id))
            }
        };
        let page = store::paging::Page {
            limit: page.limit,
            after,
        };
        let (rows, next) = store::departments::list(&self.db, page).await?;
        let mut agents = store::departments::agents(&self.db).await?;
        let everyone: Vec<AgentId> = agents.values().flatten().map(|(id, _)| *id).collect();
        let presence = self.presence_of(&everyone).await?;
        let now = self.clock.now();
        let views = rows
            .into_iter()
            .map(|row| {
                let members = agents.remove(&row.id).unwrap_or_default();
                let members = members
                    .into_iter()
                    .map(|(id, name)| DepartmentAgentView {
                        id,
                        name,
                        presence: presence.get(&id).copied().unwrap_or(Presence::Offline),
                    })
                    .collect();
                view(row, members, now)
            })
            .collect();
        Ok((views, next.map(|(_, id)| id)))
    }

    /// Creates a department (admins only).
    pub async fn create_department(
        &self,
        actor: &Actor,
        input: DepartmentInput,
    ) -> Result<DepartmentView, ServiceError> {
        admin_only(actor)?;
        let id = Self::add_department_with(&self.db, input).await?;
        self.department(id).await
    }

    /// Changes a department (admins only).
    pub async fn change_department(
        &self,
        actor: &Actor,
        id: DepartmentId,
        changes: DepartmentChanges,
    ) -> Result<DepartmentView, ServiceError> {
        admin_only(actor)?;
        Self::edit_department(&self.db, id, changes).await?;
        self.department(id).await
    }

    /// Creates a department with these values; refuses a bad value or a taken name or slug.
    pub async fn add_department_with(
        db: &DatabaseConnection,
        input: DepartmentInput,
    ) -> Result<DepartmentId, ServiceError> {
        super::admin::refuse_nul(&[
            &input.name,
            input.label.as_deref().unwrap_or_default(),
            input.slug.as_deref().unwrap_or_default(),
            input.signature.as_deref().unwrap_or_default(),
        ])?;
        let name = domain::department_name(&input.name).map_err(invalid)?;
        let label = match input.label.as_deref() {
            Some(label) => domain::department_label(label).map_err(invalid)?,
            None => domain::department_label(&name).map_err(invalid)?,
        };
        let slug = match input.slug.as_deref() {
            Some(slug) => domain::department_slug(slug).map_err(invalid)?,
            None => domain::slug_from_name(&name),
        };
        let new = NewDepartment {
            name: name.clone(),
            label,
            slug: slug.clone(),
            open: input.open.unwrap_or(true),
            position: input.position,
            signature: input
                .signature
                .as_deref()
                .map(domain::department_signature)
                .transpose()
                .map_err(invalid)?
                .flatten(),
        };
        match store::departments::create(db, new).await {
            Ok(created) => Ok(created.id),
            Err(error) => Err(taken(db, error, None, &name, &slug).await),
        }
    }

    /// Changes a department; refuses a bad value, a taken name or slug, or an unknown department.
    pub async fn edit_department(
        db: &DatabaseConnection,
        id: DepartmentId,
        changes: DepartmentChanges,
    ) -> Result<(), ServiceError> {
        super::admin::refuse_nul(&[
            changes.name.as_deref().unwrap_or_default(),
            changes.label.as_deref().unwrap_or_default(),
            changes.slug.as_deref().unwrap_or_default(),
            changes.signature.as_deref().unwrap_or_default(),
        ])?;
        let timers = Self::timer_patch(db, id, changes.timers).await?;
        let patch = DepartmentPatch {
            name: changes
                .name
                .as_deref()
                .map(domain::department_name)
                .transpose()
                .map_err(invalid)?,
            label: changes
                .label
                .as_deref()
                .map(domain::department_label)
                .transpose()
                .map_err(invalid)?,
            slug: changes
                .slug
                .as_deref()
                .map(domain::department_slug)
                .transpose()
                .map_err(invalid)?,
            open: changes.open,
            position: changes.position,
            signature: changes
                .signature
                .as_deref()
                .map(domain::department_signature)
                .transpose()
                .map_err(invalid)?,
        };
        let name = patch.name.clone().unwrap_or_default();
        let slug = patch.slug.clone().unwrap_or_default();
        match store::departments::update(db, id, patch).await {
            Ok(Some(_)) => {
                store::timers::update(db, id, timers).await?;
                Ok(())
            }
            Ok(None) => Err(ServiceError::NotFound),
            Err(error) => Err(taken(db, error, Some(id), &name, &slug).await),
        }
    }

    /// The department with this id or slug (for the CLI).
    pub async fn find_department(
        db: &DatabaseConnection,
        key: &str,
    ) -> Result<department::Model, ServiceError> {
        super::admin::refuse_nul(&[key])?;
        let found = match key.parse::<DepartmentId>() {
            Ok(id) => store::departments::find(db, id).await?,
            Err(_) => store::departments::find_by_slug(db, key).await?,
        };
        found.ok_or_else(|| ServiceError::Invalid(format!("no department {key:?}")))
    }

    /// Every department by position (for the CLI).
    pub async fn list_departments(
        db: &DatabaseConnection,
    ) -> Result<Vec<department::Model>, ServiceError> {
        let page = store::paging::Page::first(store::MAX_LIST_ROWS);
        Ok(store::departments::list(db, page).await?.0)
    }

    async fn department(&self, id: DepartmentId) -> Result<DepartmentView, ServiceError> {
        let row = store::departments::find(&self.db, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let members = store::departments::agents(&self.db)
            .await?
            .remove(&id)
            .unwrap_or_default();
        let ids: Vec<AgentId> = members.iter().map(|(id, _)| *id).collect();
        let presence = self.presence_of(&ids).await?;
        let members = members
            .into_iter()
            .map(|(id, name)| DepartmentAgentView {
                id,
                name,
                presence: presence.get(&id).copied().unwrap_or(Presence::Offline),
            })
            .collect();
        Ok(view(row, members, self.clock.now()))
    }
}

fn view(
    row: department::Model,
    agents: Vec<DepartmentAgentView>,
    now: chrono::DateTime<chrono::Utc>,
) -> DepartmentView {
    let business_hours = super::timers::hours_of(&row);
    let closed_until = business_hours
        .as_ref()
        .and_then(|hours| hours.closed_at(now))
        .map(|reopening| match reopening {
            Some(reopening) => reopening.describe(None),
            None => "further notice".to_owned(),
        });
    DepartmentView {
        timers: super::timers::settings_of(&row),
        business_hours,
        closed_until,
        id: row.id,
        name: row.name,
        label: row.label,
        slug: row.slug,
        open: row.open,
        position: row.position,
        signature: row.signature,
        agents,
    }
}

fn admin_only(actor: &Actor) -> Result<(), ServiceError> {
    if actor.agent.role == Role::Admin {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "only an admin may create or change departments".to_owned(),
        ))
    }
}

fn invalid(error: DepartmentError) -> ServiceError {
    ServiceError::Invalid(error.to_string())
}

/// A unique violation named for what is taken (the name when another department has it, else the
/// slug); any other error as it is.
async fn taken(
    db: &DatabaseConnection,
    error: sea_orm::DbErr,
    changing: Option<DepartmentId>,
    name: &str,
    slug: &str,
) -> ServiceError {
    if !store::is_unique_violation(&error) {
        return error.into();
    }
    let name_taken = match store::departments::find_by_name(db, name).await {
        Ok(found) => found.is_some_and(|d| Some(d.id) != changing),
        Err(error) => return error.into(),
    };
    if name_taken || slug.is_empty() {
        ServiceError::Conflict(format!("department {name:?} exists already"))
    } else {
        ServiceError::Conflict(format!("the slug {slug:?} is taken"))
    }
}
