//! `#` client notes: agents keep what they know about a customer. Notes belong to the client, so
//! every ticket of theirs shows them, and every console that may show the client hears of a
//! change. They never reach the customer.

use chrono::Utc;
use sea_orm::{ConnectionTrait, DbErr};

use super::{Actor, Service, ServiceError};
use crate::{
    domain::{self, ClientId, NoteId, NoteText},
    hub::Event,
    store::{self, entity::client_note},
    views::NoteView,
};

impl Service {
    /// A page of the notes about a client the actor may see, oldest first, and the note the next
    /// page continues after when more remain.
    pub async fn notes(
        &self,
        actor: &Actor,
        client: ClientId,
        page: store::paging::Page<NoteId>,
    ) -> Result<(Vec<NoteView>, Option<NoteId>), ServiceError> {
        visible_client(&self.db, actor, client).await?;
        let (notes, next) = store::notes::for_client(&self.db, client, page).await?;
        Ok((store::notes::views(&self.db, notes).await?, next))
    }

    /// Adds a note about a client the actor may see.
    pub async fn add_note(
        &self,
        actor: &Actor,
        client: ClientId,
        text: &str,
    ) -> Result<NoteView, ServiceError> {
        let text = NoteText::parse(text)?;
        let txn = store::begin_write(&self.db).await?;
        visible_client(&txn, actor, client).await?;
        let row =
            store::notes::insert(&txn, client, actor.agent.id, text.into_string(), Utc::now())
                .await?;
        let note = one_view(&txn, row).await?;
        let notes_count = store::notes::count(&txn, client).await?;
        let events = record_note_event(
            &txn,
            client,
            Event::NoteCreated {
                note: note.clone(),
                notes_count,
            },
        )
        .await?;
        self.commit(txn, events).await?;
        tracing::info!(note.id = %note.id, client.id = %client, agent.id = %actor.agent.id, "note added");
        Ok(note)
    }

    /// Replaces a note's text: its author may, and supervisors and admins.
    pub async fn edit_note(
        &self,
        actor: &Actor,
        id: NoteId,
        text: &str,
    ) -> Result<NoteView, ServiceError> {
        let text = NoteText::parse(text)?;
        let txn = store::begin_write(&self.db).await?;
        let note = changeable_note(&txn, actor, id, "edit").await?;
        if !store::notes::update_text(&txn, id, text.into_string(), Utc::now()).await? {
            return Err(ServiceError::NotFound);
        }
        let row = store::notes::find(&txn, id)
            .await?
            .ok_or_else(|| ServiceError::bug(format!("note {id} vanished while edited")))?;
        let view = one_view(&txn, row).await?;
        let notes_count = store::notes::count(&txn, note.client_id).await?;
        let events = record_note_event(
            &txn,
            note.client_id,
            Event::NoteUpdated {
                note: view.clone(),
                notes_count,
            },
        )
        .await?;
        self.commit(txn, events).await?;
        tracing::info!(note.id = %id, agent.id = %actor.agent.id, "note edited");
        Ok(view)
    }

    /// Deletes a note: its author may, and supervisors and admins.
    pub async fn delete_note(&self, actor: &Actor, id: NoteId) -> Result<(), ServiceError> {
        let txn = store::begin_write(&self.db).await?;
        let note = changeable_note(&txn, actor, id, "delete").await?;
        if !store::notes::delete(&txn, id).await? {
            return Err(ServiceError::NotFound);
        }
        let notes_count = store::notes::count(&txn, note.client_id).await?;
        let events = record_note_event(
            &txn,
            note.client_id,
            Event::NoteDeleted {
                note_id: id,
                client_id: note.client_id,
                notes_count,
            },
        )
        .await?;
        self.commit(txn, events).await?;
        tracing::info!(note.id = %id, agent.id = %actor.agent.id, "note deleted");
        Ok(())
    }
}

/// Fails with not found unless the client exists and the actor may see one of their tickets
/// (never "forbidden", so client ids outside one's departments reveal nothing).
async fn visible_client<C>(c: &C, actor: &Actor, client: ClientId) -> Result<(), ServiceError>
where
    C: ConnectionTrait,
{
    if store::clients::find(c, client).await?.is_none() {
        return Err(ServiceError::NotFound);
    }
    let departments = store::clients::departments_of(c, client).await?;
    if actor.agent.role.sees_all_departments() || departments.iter().any(|d| actor.scope.allows(*d))
    {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}

/// The note if the actor may see its client and change it (`action`: "edit" or "delete").
async fn changeable_note<C>(
    c: &C,
    actor: &Actor,
    id: NoteId,
    action: &'static str,
) -> Result<client_note::Model, ServiceError>
where
    C: ConnectionTrait,
{
    let note = store::notes::find(c, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    visible_client(c, actor, note.client_id).await?;
    domain::check_note_change(
        note.author_agent_id,
        actor.agent.id,
        actor.agent.role,
        action,
    )?;
    Ok(note)
}

async fn one_view<C>(c: &C, row: client_note::Model) -> Result<NoteView, ServiceError>
where
    C: ConnectionTrait,
{
    let id = row.id;
    store::notes::views(c, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ServiceError::bug(format!("note {id}: one note made no view")))
}

/// A note event once per department the client has tickets in, so every console that may show
/// the client hears it (a console that sees several of them dedupes by note id).
async fn record_note_event<C>(
    c: &C,
    client: ClientId,
    event: Event,
) -> Result<Vec<super::NewEvent>, DbErr>
where
    C: ConnectionTrait,
{
    let departments = store::clients::departments_of(c, client).await?;
    departments
        .into_iter()
        .map(|department| super::new_event(department, None, &event))
        .collect()
}
