//! Files agents upload for outbound messages: kept with their bytes until Telegram has them, so
//! the outbox can send them after a restart; the bytes are dropped once the message is sent or
//! has failed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    Set, sea_query::Expr,
};

use super::entity::outbound_file;
use crate::domain::MessageId;

/// How an uploaded file goes to Telegram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A PNG, JPEG or WebP image: sendPhoto.
    Photo,
    /// Anything else: sendDocument.
    Document,
}

impl FileKind {
    /// The name stored in the database and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Photo => "photo",
            Self::Document => "document",
        }
    }

    /// The kind stored under this name; a document when unknown.
    pub fn from_stored(name: &str) -> Self {
        if name == "photo" {
            Self::Photo
        } else {
            Self::Document
        }
    }
}

/// Stores the file of an outbound message.
pub async fn insert<C>(
    c: &C,
    message_id: MessageId,
    kind: FileKind,
    file_name: &str,
    bytes: Vec<u8>,
    at: DateTime<Utc>,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    outbound_file::ActiveModel {
        message_id: Set(message_id),
        kind: Set(kind.as_str().to_owned()),
        file_name: Set(file_name.to_owned()),
        size: Set(i64::try_from(bytes.len()).unwrap_or(i64::MAX)),
        bytes: Set(Some(bytes)),
        created_at: Set(at),
    }
    .insert(c)
    .await?;
    Ok(())
}

/// The file of an outbound message, if it has one.
pub async fn find<C>(c: &C, message_id: MessageId) -> Result<Option<outbound_file::Model>, DbErr>
where
    C: ConnectionTrait,
{
    outbound_file::Entity::find_by_id(message_id).one(c).await
}

/// The files (without their bytes) of these messages, by message id.
pub async fn of_messages<C>(
    c: &C,
    ids: Vec<MessageId>,
) -> Result<HashMap<MessageId, FileInfo>, DbErr>
where
    C: ConnectionTrait,
{
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(MessageId, String, String, i64)> = outbound_file::Entity::find()
        .select_only()
        .column(outbound_file::Column::MessageId)
        .column(outbound_file::Column::Kind)
        .column(outbound_file::Column::FileName)
        .column(outbound_file::Column::Size)
        .filter(outbound_file::Column::MessageId.is_in(ids))
        .into_tuple()
        .all(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, file_name, size)| {
            (
                id,
                FileInfo {
                    kind,
                    file_name,
                    size,
                },
            )
        })
        .collect())
}

/// What the console is told of a file.
#[derive(Debug, Clone)]
pub struct FileInfo {
    pub kind: String,
    pub file_name: String,
    pub size: i64,
}

/// The total size of the files whose bytes are still kept (not yet sent). Summed here rather than
/// in SQL, where PostgreSQL's SUM of a bigint is a numeric.
pub async fn pending_bytes<C>(c: &C) -> Result<i64, DbErr>
where
    C: ConnectionTrait,
{
    let sizes: Vec<i64> = outbound_file::Entity::find()
        .select_only()
        .column(outbound_file::Column::Size)
        .filter(outbound_file::Column::Bytes.is_not_null())
        .into_tuple()
        .all(c)
        .await?;
    Ok(sizes.into_iter().sum())
}

/// Drops the bytes of a file Telegram has (or will never take); its name and size stay.
pub async fn drop_bytes<C>(c: &C, message_id: MessageId) -> Result<(), DbErr>
where
    C: ConnectionTrait,
{
    outbound_file::Entity::update_many()
        .col_expr(
            outbound_file::Column::Bytes,
            Expr::value(Option::<Vec<u8>>::None),
        )
        .filter(outbound_file::Column::MessageId.eq(message_id))
        .exec(c)
        .await?;
    Ok(())
}
