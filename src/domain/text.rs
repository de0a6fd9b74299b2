//! Message text as the rules accept it.

/// Telegram's limit for one text message, in characters.
pub const MAX_TEXT_CHARS: usize = 4096;

/// A message text that is not blank and fits in one Telegram message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(String);

impl MessageText {
    /// Checks a text an agent wants to send.
    pub fn parse(text: &str) -> Result<Self, super::DomainError> {
        if text.trim().is_empty() {
            return Err(super::DomainError::InvalidText("the message text is empty"));
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(super::DomainError::InvalidText(
                "the message text is longer than Telegram's 4096 characters",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_text_is_refused() {
        assert!(MessageText::parse("  \n ").is_err());
    }

    #[test]
    fn text_up_to_the_telegram_limit_is_accepted_and_one_more_character_is_not() {
        let max = "é".repeat(MAX_TEXT_CHARS);
        assert_eq!(
            MessageText::parse(&max).map(|t| t.as_str().chars().count()),
            Ok(MAX_TEXT_CHARS)
        );
        assert!(MessageText::parse(&format!("{max}x")).is_err());
    }
}
