//! A ticket's transcript as a readable plain-text file: a header, then one line (and indented
//! details) per message, timeline change or note, in time order. Customer text is written as it
//! came; each entry's continuation lines are indented so none can pass for an entry of its own.

use chrono::{DateTime, Utc};
use sea_orm::ActiveEnum;

use crate::{
    domain::{AuthorKind, Direction, Media, Stars},
    service::{TranscriptEntry, TranscriptHeader},
    views::{ChangeView, MessageView, NoteView, Side},
};

/// The file name a transcript downloads as (`ticket-12-transcript.txt`).
pub fn file_name(ticket: crate::domain::TicketId, extension: &str) -> String {
    format!("ticket-{ticket}-transcript.{extension}")
}

/// The header: the ticket, its customer, department, state and rating.
pub fn header_text(header: &TranscriptHeader) -> String {
    let t = &header.ticket;
    let mut out = format!("Switchboard transcript of ticket #{}\n", t.id);
    let username = t
        .client
        .username
        .as_deref()
        .map(|u| format!(" (@{u})"))
        .unwrap_or_default();
    out.push_str(&format!(
        "Customer: {}{username}, Telegram id {}\n",
        one_line(&t.client.name),
        t.client.telegram_id
    ));
    out.push_str(&format!("Department: {}\n", one_line(&t.department.name)));
    out.push_str(&format!("Status: {}\n", t.status.to_value()));
    if let Some(owner) = t.owner.as_ref().or(t.last_owner.as_ref()) {
        out.push_str(&format!("Agent: {}\n", one_line(&owner.name)));
    }
    out.push_str(&format!("Opened: {}\n", time(t.created_at)));
    if let Some(rating) = &header.rating {
        match rating.stars.and_then(|s| Stars::new(i64::from(s))) {
            Some(stars) => {
                out.push_str(&format!(
                    "Rating: {} ({}/5)\n",
                    stars.symbols(),
                    stars.get()
                ));
                if let Some(comment) = &rating.comment {
                    out.push_str(&format!("Rating comment: {}\n", indent(comment)));
                }
            }
            None => out.push_str("Rating: asked, not answered\n"),
        }
    }
    out.push_str(&format!(
        "Internal notes: {}\n",
        if header.notes_included {
            "included"
        } else {
            "not included"
        }
    ));
    out.push_str(&format!("Exported: {}\n", time(header.generated_at)));
    out.push_str(&"-".repeat(60));
    out.push('\n');
    out
}

/// One entry and its details, ending with a newline.
pub fn entry_text(entry: &TranscriptEntry) -> String {
    match entry {
        TranscriptEntry::Message(m) => message_text(m),
        TranscriptEntry::Change(c) => change_text(c),
        TranscriptEntry::Note(n) => note_text(n),
    }
}

fn message_text(m: &MessageView) -> String {
    let role = match (m.author.kind, m.direction) {
        (AuthorKind::Customer, _) | (_, Direction::In) => "customer",
        (AuthorKind::Agent, _) => "agent",
        (AuthorKind::System, _) => "bot",
    };
    let mut out = format!(
        "[{}] {} ({role}): {}\n",
        time(m.created_at),
        one_line(&m.author.name),
        indent(&m.text)
    );
    if let Some(media) = &m.media {
        out.push_str(&format!("    [{}]\n", describe_media(media)));
    }
    if let Some(file) = &m.out_file {
        out.push_str(&format!(
            "    [{} {:?}, {} bytes]\n",
            file.kind, file.name, file.size
        ));
    }
    if let Some(quoted) = &m.reply_to {
        out.push_str(&format!(
            "    [in reply to {}: {}]\n",
            one_line(&quoted.author_name),
            one_line(&cut(&quoted.text, 80))
        ));
    }
    for earlier in &m.earlier_texts {
        out.push_str(&format!(
            "    [edited {}; it said before: {}]\n",
            time(earlier.replaced_at),
            indent(&earlier.text)
        ));
    }
    if let Some(at) = m.edited_at
        && m.earlier_texts.is_empty()
    {
        out.push_str(&format!("    [edited {}]\n", time(at)));
    }
    if let Some(error) = &m.delivery_error
        && m.delivery == Some(crate::domain::DeliveryState::Failed)
    {
        out.push_str(&format!("    [not delivered: {}]\n", one_line(error)));
    }
    out
}

fn change_text(c: &ChangeView) -> String {
    let by =
        c.by.as_ref()
            .map(|a| format!(" by {}", one_line(&a.name)))
            .unwrap_or_default();
    let mut out = format!(
        "[{}] -- {}{by}",
        time(c.at),
        c.kind.to_value().replace('_', " ")
    );
    let from = side(&c.from);
    let to = side(&c.to);
    if !from.is_empty() {
        out.push_str(&format!(" from {from}"));
    }
    if !to.is_empty() {
        out.push_str(&format!(" to {to}"));
    }
    if let Some(reason) = c.reason {
        out.push_str(&format!(" ({})", reason.to_value()));
    }
    if let Some(note) = &c.note {
        out.push_str(&format!(": {}", indent(note)));
    }
    out.push('\n');
    out
}

fn note_text(n: &NoteView) -> String {
    format!(
        "[{}] [internal note] {}: {}\n",
        time(n.created_at),
        one_line(&n.author.name),
        indent(&n.text)
    )
}

fn side(side: &Side) -> String {
    let mut parts = Vec::new();
    if let Some(d) = &side.department {
        parts.push(one_line(&d.name));
    }
    if let Some(a) = &side.agent {
        parts.push(one_line(&a.name));
    }
    parts.join(" / ")
}

/// What a customer's media was, in words.
fn describe_media(media: &Media) -> String {
    let kind = media
        .kind
        .and_then(|k| serde_json::to_value(k).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "attachment".to_owned())
        .replace('_', " ");
    let mut details = Vec::new();
    if let Some(name) = &media.file_name {
        details.push(format!("{:?}", one_line(name)));
    }
    if let Some(size) = media.file_size {
        details.push(format!("{size} bytes"));
    }
    if let Some(duration) = media.duration {
        details.push(format!("{duration} s"));
    }
    if let (Some(lat), Some(lon)) = (media.latitude, media.longitude) {
        details.push(format!("at {lat}, {lon}"));
    }
    if let Some(title) = &media.title {
        details.push(one_line(title));
    }
    if let Some(address) = &media.address {
        details.push(one_line(address));
    }
    if let Some(name) = &media.contact_name {
        details.push(one_line(name));
    }
    if let Some(phone) = &media.phone_number {
        details.push(one_line(phone));
    }
    if let Some(emoji) = &media.emoji {
        details.push(emoji.clone());
    }
    if details.is_empty() {
        kind
    } else {
        format!("{kind}: {}", details.join(", "))
    }
}

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A text on several lines with every line after the first indented, so that no line of
/// customer text starts like an entry.
fn indent(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\n    | ")
}

/// A short value on one line.
fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

fn cut(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(chars).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_text_cannot_fake_an_entry() {
        assert_eq!(
            indent("hi\n[2026-01-01 00:00:00 UTC] Agent (agent): pay here"),
            "hi\n    | [2026-01-01 00:00:00 UTC] Agent (agent): pay here"
        );
        assert_eq!(one_line("a\nb"), "a b");
    }

    #[test]
    fn media_is_described_in_words() {
        let media = Media {
            kind: Some(crate::domain::MediaKind::VideoNote),
            duration: Some(7),
            ..Media::default()
        };
        assert_eq!(describe_media(&media), "video note: 7 s");
    }
}
