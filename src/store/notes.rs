//! `#` client notes: what agents keep about a customer, on every ticket of theirs.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, sea_query::Expr,
};

use super::{
    entity::client_note,
    paging::{Page, split},
};
use crate::{
    domain::{AgentId, ClientId, Invariant, NoteId},
    views::{AgentRef, NoteView},
};

/// Finds a note by id.
pub async fn find<C>(c: &C, id: NoteId) -> Result<Option<client_note::Model>, DbErr>
where
    C: ConnectionTrait,
{
    client_note::Entity::find_by_id(id).one(c).await
}

/// A page of a client's notes, oldest first (by id, which is the order they were written in;
/// served by `idx_client_notes_client`), and the cursor of the next page when more remain.
pub async fn for_client<C>(
    c: &C,
    client: ClientId,
    page: Page<NoteId>,
) -> Result<(Vec<client_note::Model>, Option<NoteId>), DbErr>
where
    C: ConnectionTrait,
{
    let mut query = client_note::Entity::find().filter(client_note::Column::ClientId.eq(client));
    if let Some(after) = page.after {
        query = query.filter(client_note::Column::Id.gt(after));
    }
    let rows = query
        .order_by_asc(client_note::Column::Id)
        .limit(page.fetch())
        .all(c)
        .await?;
    Ok(split(rows, page.limit, |n| n.id))
}

/// Writes a new note about `client` by `author`.
pub async fn insert<C>(
    c: &C,
    client: ClientId,
    author: AgentId,
    text: String,
    now: DateTime<Utc>,
) -> Result<client_note::Model, DbErr>
where
    C: ConnectionTrait,
{
    client_note::ActiveModel {
        client_id: Set(client),
        author_agent_id: Set(author),
        text: Set(text),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(c)
    .await
}

/// Replaces a note's text; false when the note is gone.
pub async fn update_text<C>(
    c: &C,
    id: NoteId,
    text: String,
    now: DateTime<Utc>,
) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let result = client_note::Entity::update_many()
        .col_expr(client_note::Column::Text, Expr::value(text))
        .col_expr(client_note::Column::UpdatedAt, Expr::value(now))
        .filter(client_note::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Deletes a note; false when it was gone already.
pub async fn delete<C>(c: &C, id: NoteId) -> Result<bool, DbErr>
where
    C: ConnectionTrait,
{
    let result = client_note::Entity::delete_by_id(id).exec(c).await?;
    Ok(result.rows_affected == 1)
}

/// How many notes one client has.
pub async fn count<C>(c: &C, client: ClientId) -> Result<u64, DbErr>
where
    C: ConnectionTrait,
{
    client_note::Entity::find()
        .filter(client_note::Column::ClientId.eq(client))
        .count(c)
        .await
}

/// How many notes each of these clients has, in one grouped query; clients without notes are
/// missing from the map.
pub async fn counts<C>(c: &C, clients: Vec<ClientId>) -> Result<HashMap<ClientId, u64>, DbErr>
where
    C: ConnectionTrait,
{
    if clients.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(ClientId, i64)> = client_note::Entity::find()
        .select_only()
        .column(client_note::Column::ClientId)
        .column_as(client_note::Column::Id.count(), "notes")
        .filter(client_note::Column::ClientId.is_in(clients))
        .group_by(client_note::Column::ClientId)
        .into_tuple()
        .all(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(client, n)| (client, u64::try_from(n).unwrap_or_default()))
        .collect())
}

/// Notes as the console shows them, with their authors' names, keeping their order.
pub async fn views<C>(c: &C, notes: Vec<client_note::Model>) -> Result<Vec<NoteView>, DbErr>
where
    C: ConnectionTrait,
{
    let authors =
        super::agents::names(c, notes.iter().map(|n| n.author_agent_id).collect()).await?;
    notes
        .into_iter()
        .map(|n| {
            let name = authors.get(&n.author_agent_id).cloned().ok_or_else(|| {
                super::tickets::invariant(Invariant::new(format!(
                    "note {}: author {} missing",
                    n.id, n.author_agent_id
                )))
            })?;
            Ok(NoteView {
                id: n.id,
                client_id: n.client_id,
                text: n.text,
                author: AgentRef {
                    id: n.author_agent_id,
                    name,
                },
                created_at: n.created_at,
                updated_at: n.updated_at,
            })
        })
        .collect()
}
