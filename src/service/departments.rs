//! Departments: listing them with their agents, and creating and changing them (admins, the CLI).

use sea_orm::DatabaseConnection;

use super::{Actor, Service, ServiceError, bot_texts::audit_actor};
use crate::{
    domain::{self, AgentId, DepartmentError, DepartmentId, Presence, Role},
    store::{
        self,
        audit::AuditActor,
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
    /// Sent by the bot to a customer whose ticket lands here (at most 4096 characters); empty
    /// for none.
    pub greeting: Option<String>,
    /// `sound` (default) or `silent`: whether new tickets here sound the alert in consoles.
    pub alert: Option<String>,
    /// Its tickets' priority at least (default normal).
    pub priority: Option<domain::Priority>,
    /// Seconds a customer may wait for a first response or a reply; none by default.
    pub first_response_target_secs: Option<i32>,
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
    /// True archives the department (no new tickets, not offered to customers, history kept);
    /// false brings it back.
    pub archived: Option<bool>,
    /// Sent by the bot to a customer whose ticket lands here; empty for none.
    pub greeting: Option<String>,
    /// `sound` or `silent`.
    pub alert: Option<String>,
    /// Its lifecycle timers and business hours.
    #[serde(flatten)]
    pub timers: super::TimerChanges,
    /// Its tickets' priority at least; its open tickets' priorities follow at once.
    pub priority: Option<domain::Priority>,
    /// Seconds a customer may wait for a first response or a reply; null removes the target.
    #[serde(default, deserialize_with = "present")]
    pub first_response_target_secs: Option<Option<i32>>,
}

/// A field that may be null (Some(None)) or missing (None).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
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
        let id = Self::add_department_as(&self.db, &audit_actor(actor), input).await?;
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
        if changes.archived == Some(true) && id == self.default_department {
            return Err(ServiceError::Conflict(
                "the default department takes every new ticket and cannot be archived".to_owned(),
            ));
        }
        Self::edit_department_as(&self.db, &audit_actor(actor), id, changes).await?;
        self.department(id).await
    }

    /// Creates a department with these values on behalf of the command line; refuses a bad
    /// value or a taken name or slug.
    pub async fn add_department_with(
        db: &DatabaseConnection,
        input: DepartmentInput,
    ) -> Result<DepartmentId, ServiceError> {
        Self::add_department_as(db, &AuditActor::command_line(), input).await
    }

    /// Changes a department on behalf of the command line; refuses a bad value, a taken name or
    /// slug, or an unknown department.
    pub async fn edit_department(
        db: &DatabaseConnection,
        id: DepartmentId,
        changes: DepartmentChanges,
    ) -> Result<(), ServiceError> {
        Self::edit_department_as(db, &AuditActor::command_line(), id, changes).await
    }

    /// Creates a department on behalf of `actor`, audited in the same transaction.
    pub async fn add_department_as(
        db: &DatabaseConnection,
        actor: &AuditActor,
        input: DepartmentInput,
    ) -> Result<DepartmentId, ServiceError> {
        super::admin::refuse_nul(&[
            input.greeting.as_deref().unwrap_or_default(),
            input.alert.as_deref().unwrap_or_default(),
        ])?;
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
        let target = input
            .first_response_target_secs
            .map(domain::first_response_target)
            .transpose()
            .map_err(ServiceError::Invalid)?;
        let new = NewDepartment {
            priority: input.priority.unwrap_or_default(),
            first_response_target_secs: target,
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
            greeting: input
                .greeting
                .as_deref()
                .map(greeting)
                .transpose()?
                .flatten(),
            alert: input
                .alert
                .as_deref()
                .map(alert)
                .transpose()?
                .unwrap_or_else(|| "sound".to_owned()),
        };
        let txn = store::begin_write(db).await?;
        let created = match store::departments::create(&txn, new).await {
            Ok(created) => created,
            Err(error) => {
                txn.rollback().await?;
                return Err(taken(db, error, None, &name, &slug).await);
            }
        };
        store::audit::record(
            &txn,
            actor,
            "department.created",
            &format!("department:{}", created.id),
            audited(&created),
        )
        .await?;
        txn.commit().await?;
        Ok(created.id)
    }

    /// Changes a department on behalf of `actor`, audited in the same transaction (what changed,
    /// from and to); refuses a bad value, a taken name or slug, or an unknown department.
    pub async fn edit_department_as(
        db: &DatabaseConnection,
        actor: &AuditActor,
        id: DepartmentId,
        changes: DepartmentChanges,
    ) -> Result<(), ServiceError> {
        super::admin::refuse_nul(&[
            changes.greeting.as_deref().unwrap_or_default(),
            changes.alert.as_deref().unwrap_or_default(),
        ])?;
        super::admin::refuse_nul(&[
            changes.name.as_deref().unwrap_or_default(),
            changes.label.as_deref().unwrap_or_default(),
            changes.slug.as_deref().unwrap_or_default(),
            changes.signature.as_deref().unwrap_or_default(),
        ])?;
        let timers = Self::timer_patch(db, id, changes.timers).await?;
        let target = match changes.first_response_target_secs {
            Some(Some(secs)) => Some(Some(
                domain::first_response_target(secs).map_err(ServiceError::Invalid)?,
            )),
            other => other,
        };
        let patch = DepartmentPatch {
            priority: changes.priority,
            first_response_target_secs: target,
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
            archived: changes.archived,
            greeting: changes.greeting.as_deref().map(greeting).transpose()?,
            alert: changes.alert.as_deref().map(alert).transpose()?,
        };
        let name = patch.name.clone().unwrap_or_default();
        let slug = patch.slug.clone().unwrap_or_default();
        let txn = store::begin_write(db).await?;
        let Some(before) = store::departments::find(&txn, id).await? else {
            return Err(ServiceError::NotFound);
        };
        match store::departments::update(&txn, id, patch).await {
            Ok(Some(_)) => {}
            Ok(None) => return Err(ServiceError::NotFound),
            Err(error) => {
                txn.rollback().await?;
                return Err(taken(db, error, Some(id), &name, &slug).await);
            }
        };
        store::timers::update(&txn, id, timers).await?;
        let after = store::departments::find(&txn, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let details = changed(&audited(&before), &audited(&after));
        if details.as_object().is_some_and(|d| !d.is_empty()) {
            let action = match (before.archived, after.archived) {
                (false, true) => "department.archived",
                (true, false) => "department.unarchived",
                _ => "department.changed",
            };
            store::audit::record(&txn, actor, action, &format!("department:{id}"), details).await?;
        }
        // The department and its open tickets' priorities changed together.
        txn.commit().await?;
        Ok(())
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
        archived: row.archived,
        greeting: row.greeting,
        alert: row.alert,
        priority: row.priority,
        first_response_target_secs: row.first_response_target_secs,
        agents,
    }
}

/// What the audit trail keeps of a department.
fn audited(row: &department::Model) -> serde_json::Value {
    serde_json::json!({
        "name": row.name,
        "label": row.label,
        "slug": row.slug,
        "open": row.open,
        "position": row.position,
        "signature": row.signature,
        "archived": row.archived,
        "greeting": row.greeting,
        "alert": row.alert,
        "idle_reminder_hours": row.idle_reminder_hours,
        "idle_close_hours": row.idle_close_hours,
        "waiting_close_days": row.waiting_close_days,
        "solution_close_days": row.solution_close_days,
        "reopen_window_hours": row.reopen_window_hours,
        "business_hours": row.business_hours,
        "priority": row.priority,
        "first_response_target_secs": row.first_response_target_secs,
    })
}

/// The fields that differ between two audited shapes: `{field: {from, to}}`.
fn changed(before: &serde_json::Value, after: &serde_json::Value) -> serde_json::Value {
    let mut details = serde_json::Map::new();
    if let (Some(before), Some(after)) = (before.as_object(), after.as_object()) {
        for (field, to) in after {
            let from = before.get(field).cloned().unwrap_or_default();
            if from != *to {
                details.insert(field.clone(), serde_json::json!({ "from": from, "to": to }));
            }
        }
    }
    serde_json::Value::Object(details)
}

/// The most characters a department's greeting has.
pub const MAX_GREETING_CHARS: usize = 4096;

/// A greeting as typed: trimmed, None when empty, at most 4096 characters.
fn greeting(text: &str) -> Result<Option<String>, ServiceError> {
    let text = text.trim();
    if text.chars().count() > MAX_GREETING_CHARS {
        return Err(ServiceError::Invalid(format!(
            "a greeting has at most {MAX_GREETING_CHARS} characters"
        )));
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

/// An alert behaviour: `sound` or `silent`.
fn alert(value: &str) -> Result<String, ServiceError> {
    match value {
        "sound" | "silent" => Ok(value.to_owned()),
        _ => Err(ServiceError::Invalid(format!(
            "alert is \"sound\" or \"silent\", not {value:?}"
        ))),
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
