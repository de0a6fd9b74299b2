//! `#` client notes: what a note's text may be, and who may change a note.

use super::{AgentId, DomainError, Role};

/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

/// A note's text: plain text, trimmed, 1 to `MAX_NOTE_CHARS` characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteText(String);

impl NoteText {
    /// Checks a text an agent wants to keep about a client.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(DomainError::InvalidText("a note cannot be empty"));
        }
        if text.chars().count() > MAX_NOTE_CHARS {
            return Err(DomainError::InvalidText(
                "a note has at most 2000 characters",
            ));
        }
        Ok(Self(text.replace('\0', "\u{FFFD}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Decides whether `agent` (of `role`) may `action` ("edit", "delete") a note written by
/// `author`: the author may; supervisors and admins may change any note.
pub fn check_note_change(
    author: AgentId,
    agent: AgentId,
    role: Role,
    action: &'static str,
) -> Result<(), DomainError> {
    if author == agent || role.sees_all_departments() {
        Ok(())
    } else {
        Err(DomainError::NotNoteAuthor(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_trimmed_and_must_not_be_blank() {
        assert_eq!(
            NoteText::parse("  VIP, prefers email \n").map(NoteText::into_string),
            Ok("VIP, prefers email".to_owned())
        );
        assert!(NoteText::parse(" \n\t ").is_err());
    }

    #[test]
    fn a_note_of_2000_characters_is_kept_and_one_more_is_refused() {
        let max = "é".repeat(MAX_NOTE_CHARS);
        assert_eq!(
            NoteText::parse(&max).map(|t| t.as_str().chars().count()),
            Ok(MAX_NOTE_CHARS)
        );
        assert!(NoteText::parse(&format!("{max}x")).is_err());
    }

    #[test]
    fn the_author_and_supervisors_and_admins_may_change_a_note_and_nobody_else() {
        let (author, other) = (AgentId(1), AgentId(2));
        assert!(check_note_change(author, author, Role::Agent, "edit").is_ok());
        assert_eq!(
            check_note_change(author, other, Role::Agent, "delete"),
            Err(DomainError::NotNoteAuthor("delete"))
        );
        assert!(check_note_change(author, other, Role::Supervisor, "edit").is_ok());
        assert!(check_note_change(author, other, Role::Admin, "delete").is_ok());
    }
}
