//! The media a Telegram message carries, as Switchboard keeps it: the file's ids and what the
//! update says about it (a photo's largest size), or a place or contact.

use teloxide::types::Message;

use crate::domain::{Media, MediaKind};

/// The media a message carries: the largest photo size, a file with what Telegram says about it,
/// a place or a contact.
pub(super) fn media_of(message: &Message) -> Option<Media> {
    let media = if let Some(sizes) = message.photo() {
        let largest = sizes
            .iter()
            .max_by_key(|size| u64::from(size.width) * u64::from(size.height))?;
        Media {
            width: Some(largest.width),
            height: Some(largest.height),
            ..file(MediaKind::Photo, &largest.file)
        }
    } else if let Some(a) = message.animation() {
        Media {
            width: Some(a.width),
            height: Some(a.height),
            duration: Some(a.duration.seconds()),
            file_name: a.file_name.clone(),
            mime_type: mime_of(&a.mime_type),
            ..file(MediaKind::Animation, &a.file)
        }
    } else if let Some(d) = message.document() {
        Media {
            file_name: d.file_name.clone(),
            mime_type: mime_of(&d.mime_type),
            ..file(MediaKind::Document, &d.file)
        }
    } else if let Some(v) = message.voice() {
        Media {
            duration: Some(v.duration.seconds()),
            mime_type: mime_of(&v.mime_type),
            ..file(MediaKind::Voice, &v.file)
        }
    } else if let Some(a) = message.audio() {
        Media {
            duration: Some(a.duration.seconds()),
            file_name: a.file_name.clone(),
            title: a.title.clone(),
            mime_type: mime_of(&a.mime_type),
            ..file(MediaKind::Audio, &a.file)
        }
    } else if let Some(v) = message.video() {
        Media {
            width: Some(v.width),
            height: Some(v.height),
            duration: Some(v.duration.seconds()),
            file_name: v.file_name.clone(),
            mime_type: mime_of(&v.mime_type),
            ..file(MediaKind::Video, &v.file)
        }
    } else if let Some(v) = message.video_note() {
        Media {
            width: Some(v.length),
            height: Some(v.length),
            duration: Some(v.duration.seconds()),
            mime_type: Some("video/mp4".to_owned()),
            ..file(MediaKind::VideoNote, &v.file)
        }
    } else if let Some(s) = message.sticker() {
        let mime = if s.flags.is_video {
            "video/webm"
        } else if s.flags.is_animated {
            "application/x-tgsticker"
        } else {
            "image/webp"
        };
        Media {
            width: Some(u32::from(s.width)),
            height: Some(u32::from(s.height)),
            emoji: s.emoji.clone(),
            mime_type: Some(mime.to_owned()),
            ..file(MediaKind::Sticker, &s.file)
        }
    } else if let Some(v) = message.venue() {
        Media {
            kind: Some(MediaKind::Venue),
            latitude: Some(v.location.latitude),
            longitude: Some(v.location.longitude),
            title: Some(v.title.clone()),
            address: Some(v.address.clone()),
            ..Media::default()
        }
    } else if let Some(l) = message.location() {
        Media {
            kind: Some(MediaKind::Location),
            latitude: Some(l.latitude),
            longitude: Some(l.longitude),
            ..Media::default()
        }
    } else if let Some(c) = message.contact() {
        let name = match &c.last_name {
            Some(last) => format!("{} {last}", c.first_name),
            None => c.first_name.clone(),
        };
        Media {
            kind: Some(MediaKind::Contact),
            contact_name: Some(name),
            phone_number: Some(c.phone_number.clone()),
            ..Media::default()
        }
    } else {
        return None;
    };
    Some(media.bounded())
}

/// A MIME type as text.
fn mime_of<T: ToString>(mime: &Option<T>) -> Option<String> {
    mime.as_ref().map(ToString::to_string)
}

/// What a file's metadata says: its ids and size (teloxide reads a missing size as `u32::MAX`).
fn file(kind: MediaKind, meta: &teloxide::types::FileMeta) -> Media {
    Media {
        kind: Some(kind),
        file_id: Some(meta.id.0.clone()),
        file_unique_id: Some(meta.unique_id.0.clone()),
        file_size: (meta.size != u32::MAX).then_some(u64::from(meta.size)),
        ..Media::default()
    }
}
