//! What a customer sent besides text: a file kept at Telegram (by its `file_id`), a place, or a
//! contact card.

use serde::{Deserialize, Serialize};

/// Telegram's limit for a file a bot may download (`getFile`), in bytes.
pub const MAX_BOT_DOWNLOAD: u64 = 20 * 1024 * 1024;

/// The longest text (file name, title, address, name) kept from a media field, in characters.
const MAX_FIELD_CHARS: usize = 512;

/// The kind of a message's media.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Photo,
    Document,
    Voice,
    Audio,
    Video,
    VideoNote,
    Sticker,
    Animation,
    Location,
    Venue,
    Contact,
}

/// A message's media as Switchboard keeps it: the file's Telegram ids and what Telegram told about
/// it, or the coordinates, venue or contact it carries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Media {
    pub kind: Option<MediaKind>,
    /// Telegram's id for downloading the file (`getFile`); None for locations and contacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_unique_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// The file's size in bytes, as Telegram gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Seconds, for voice, audio, video and video notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
    /// A venue's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A venue's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// A contact's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// A sticker's emoji.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
}

// Coordinates are never NaN (Telegram sends real numbers), so equality is an equivalence.
impl Eq for Media {}

impl Media {
    /// Whether the file is past Telegram's bot download limit (known from the update).
    pub fn too_large_to_download(&self) -> bool {
        self.file_size.is_some_and(|size| size > MAX_BOT_DOWNLOAD)
    }

    /// The same media with its texts cut to a bounded length and free of NUL characters (which
    /// PostgreSQL refuses).
    pub fn bounded(mut self) -> Self {
        for field in [
            &mut self.file_id,
            &mut self.file_unique_id,
            &mut self.file_name,
            &mut self.mime_type,
            &mut self.title,
            &mut self.address,
            &mut self.contact_name,
            &mut self.phone_number,
            &mut self.emoji,
        ] {
            if let Some(text) = field.as_mut() {
                *text = text
                    .chars()
                    .take(MAX_FIELD_CHARS)
                    .map(|c| if c == '\0' { '\u{FFFD}' } else { c })
                    .collect();
            }
        }
        self
    }
}

/// How the console may be served a file of this MIME type: the type to send and whether the
/// browser may show it inline. Types a browser would run or render as a page (HTML, SVG, XML,
/// scripts) are sent as `application/octet-stream`, as an attachment.
pub fn served_type(mime: Option<&str>, kind: Option<MediaKind>) -> (String, bool) {
    let mime = mime
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let fallback = match kind {
        Some(MediaKind::Photo) => "image/jpeg",
        Some(MediaKind::Sticker) => "image/webp",
        Some(MediaKind::Voice) => "audio/ogg",
        Some(MediaKind::VideoNote) | Some(MediaKind::Video) | Some(MediaKind::Animation) => {
            "video/mp4"
        }
        _ => "application/octet-stream",
    };
    let mime = if mime.is_empty() {
        fallback.to_owned()
    } else {
        mime
    };
    let safe_inline = [
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "audio/ogg",
        "audio/mpeg",
        "audio/mp4",
        "audio/wav",
        "audio/x-wav",
        "audio/webm",
        "video/mp4",
        "video/webm",
    ];
    let harmless = safe_inline.contains(&mime.as_str())
        || mime == "application/pdf"
        || mime == "text/plain"
        || mime.starts_with("application/zip");
    if !harmless {
        return ("application/octet-stream".to_owned(), false);
    }
    let inline = safe_inline.contains(&mime.as_str()) && kind != Some(MediaKind::Document);
    (mime, inline)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_svg_are_never_served_as_themselves() {
        for risky in [
            "text/html",
            "image/svg+xml",
            "application/xhtml+xml",
            "text/javascript",
        ] {
            assert_eq!(
                served_type(Some(risky), Some(MediaKind::Document)),
                ("application/octet-stream".to_owned(), false)
            );
        }
    }

    #[test]
    fn photos_show_inline_and_documents_are_attachments() {
        assert_eq!(
            served_type(None, Some(MediaKind::Photo)),
            ("image/jpeg".to_owned(), true)
        );
        assert_eq!(
            served_type(Some("image/png"), Some(MediaKind::Document)),
            ("image/png".to_owned(), false)
        );
        assert_eq!(
            served_type(Some("text/plain"), Some(MediaKind::Document)),
            ("text/plain".to_owned(), false)
        );
    }
}
