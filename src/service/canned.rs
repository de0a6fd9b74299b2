//! Canned responses: agents read their departments' ones; supervisors and admins write them.

use chrono::Utc;
use serde_json::json;

use super::{Actor, Service, ServiceError, bot_texts::audit_actor};
use crate::{
    domain::{
        CannedId, DepartmentId,
        canned::{Shortcut, parse_text, parse_title},
    },
    store::{self, OnUnique, canned::NewCanned, entity::canned_response, paging::Page},
    views::CannedView,
};

/// A canned response as a supervisor types it.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannedInput {
    pub department_id: DepartmentId,
    pub shortcut: String,
    pub title: String,
    pub text: String,
}

/// Changes to a canned response; what is missing stays.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannedChanges {
    pub department_id: Option<DepartmentId>,
    pub shortcut: Option<String>,
    pub title: Option<String>,
    pub text: Option<String>,
}

impl Service {
    /// A page of the canned responses of the actor's departments (or of one of them, which must
    /// be one of theirs), by id.
    pub async fn canned(
        &self,
        actor: &Actor,
        department: Option<DepartmentId>,
        page: Page<CannedId>,
    ) -> Result<(Vec<CannedView>, Option<CannedId>), ServiceError> {
        if department.is_some_and(|d| !actor.scope.allows(d)) {
            return Err(ServiceError::NotFound);
        }
        let (rows, next) = store::canned::list(&self.db, &actor.scope, department, page).await?;
        Ok((rows.into_iter().map(view).collect(), next))
    }

    /// Creates a canned response (supervisors and admins). A shortcut the department has is a
    /// conflict.
    pub async fn create_canned(
        &self,
        actor: &Actor,
        input: CannedInput,
    ) -> Result<CannedView, ServiceError> {
        may_write(actor)?;
        let new = self.checked(input).await?;
        let txn = store::begin_write(&self.db).await?;
        let row = store::canned::insert(&txn, new.clone(), Utc::now())
            .await
            .on_unique(|| duplicate(&new))?;
        store::audit::record(
            &txn,
            &audit_actor(actor),
            "canned.created",
            &format!("canned:{}", row.id),
            audited(&row),
        )
        .await?;
        txn.commit().await?;
        Ok(view(row))
    }

    /// Changes a canned response (supervisors and admins).
    pub async fn change_canned(
        &self,
        actor: &Actor,
        id: CannedId,
        changes: CannedChanges,
    ) -> Result<CannedView, ServiceError> {
        may_write(actor)?;
        let row = store::canned::find(&self.db, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let input = CannedInput {
            department_id: changes.department_id.unwrap_or(row.department_id),
            shortcut: changes.shortcut.unwrap_or_else(|| row.shortcut.clone()),
            title: changes.title.unwrap_or_else(|| row.title.clone()),
            text: changes.text.unwrap_or_else(|| row.text.clone()),
        };
        let new = self.checked(input).await?;
        let before = audited(&row);
        let txn = store::begin_write(&self.db).await?;
        let row = store::canned::update(&txn, row, new.clone(), Utc::now())
            .await
            .on_unique(|| duplicate(&new))?;
        store::audit::record(
            &txn,
            &audit_actor(actor),
            "canned.changed",
            &format!("canned:{}", row.id),
            json!({ "from": before, "to": audited(&row) }),
        )
        .await?;
        txn.commit().await?;
        Ok(view(row))
    }

    /// Deletes a canned response (supervisors and admins).
    pub async fn delete_canned(&self, actor: &Actor, id: CannedId) -> Result<(), ServiceError> {
        may_write(actor)?;
        let txn = store::begin_write(&self.db).await?;
        let Some(row) = store::canned::find(&txn, id).await? else {
            return Err(ServiceError::NotFound);
        };
        if !store::canned::delete(&txn, id).await? {
            return Err(ServiceError::NotFound);
        }
        store::audit::record(
            &txn,
            &audit_actor(actor),
            "canned.deleted",
            &format!("canned:{id}"),
            audited(&row),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The input checked: valid shortcut, title and text, an existing department.
    async fn checked(&self, input: CannedInput) -> Result<NewCanned, ServiceError> {
        let shortcut = Shortcut::parse(&input.shortcut)?.into_string();
        let title = parse_title(&input.title)?;
        let text = parse_text(&input.text)?;
        if store::departments::find(&self.db, input.department_id)
            .await?
            .is_none()
        {
            return Err(ServiceError::Invalid(format!(
                "there is no department {}",
                input.department_id
            )));
        }
        Ok(NewCanned {
            department: input.department_id,
            shortcut,
            title,
            text,
        })
    }
}

/// Only supervisors and admins write canned responses.
fn may_write(actor: &Actor) -> Result<(), ServiceError> {
    if actor.agent.role.sees_all_departments() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "only a supervisor or an admin may write canned responses".to_owned(),
        ))
    }
}

fn duplicate(new: &NewCanned) -> ServiceError {
    ServiceError::Conflict(format!(
        "department {} already has a canned response /{}",
        new.department, new.shortcut
    ))
}

/// What the audit trail keeps of a canned response.
fn audited(row: &canned_response::Model) -> serde_json::Value {
    json!({
        "department_id": row.department_id,
        "shortcut": row.shortcut,
        "title": row.title,
        "text": row.text,
    })
}

fn view(row: canned_response::Model) -> CannedView {
    CannedView {
        id: row.id,
        department_id: row.department_id,
        shortcut: row.shortcut,
        title: row.title,
        text: row.text,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}
