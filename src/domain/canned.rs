//! Canned responses: a department's ready-made replies, each found by a short shortcut.

use super::{DomainError, MessageText};

/// The longest shortcut, in characters.
pub const MAX_SHORTCUT: usize = 32;
/// The longest title, in characters.
pub const MAX_TITLE: usize = 200;

/// A shortcut: 1 to 32 of `a-z`, `0-9`, `_` and `-` (typed after `/` in the reply box).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortcut(String);

impl Shortcut {
    /// Checks a shortcut as typed by a supervisor.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let valid = !text.is_empty()
            && text.len() <= MAX_SHORTCUT
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(DomainError::InvalidText(
                "a shortcut is 1 to 32 of a-z, 0-9, _ and -",
            ))
        }
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A title: not blank, at most 200 characters.
pub fn parse_title(text: &str) -> Result<String, DomainError> {
    if text.trim().is_empty() {
        return Err(DomainError::InvalidText("the title is empty"));
    }
    if text.chars().count() > MAX_TITLE || text.contains('\0') {
        return Err(DomainError::InvalidText(
            "the title is longer than 200 characters or holds a NUL",
        ));
    }
    Ok(text.to_owned())
}

/// A canned text: what a reply may be (not blank, at most Telegram's 4096 characters).
pub fn parse_text(text: &str) -> Result<String, DomainError> {
    if text.contains('\0') {
        return Err(DomainError::InvalidText("the text holds a NUL character"));
    }
    MessageText::parse(text).map(MessageText::into_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_take_lowercase_letters_digits_underscores_and_dashes_up_to_32() {
        assert!(Shortcut::parse("refund_policy-2").is_ok());
        assert!(Shortcut::parse(&"a".repeat(32)).is_ok());
        assert!(Shortcut::parse(&"a".repeat(33)).is_err());
        assert!(Shortcut::parse("").is_err());
        assert!(Shortcut::parse("Hello").is_err());
        assert!(Shortcut::parse("a b").is_err());
        assert!(Shortcut::parse("é").is_err());
    }

    #[test]
    fn a_blank_title_or_text_is_refused() {
        assert!(parse_title(" ").is_err());
        assert!(parse_text("\n").is_err());
        assert!(parse_text(&"x".repeat(4097)).is_err());
    }
}
