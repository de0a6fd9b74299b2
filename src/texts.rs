//! The bot's texts: one template per text and language (English and Russian built in), chosen
//! from the customer's Telegram `language_code` (English when it is missing or unknown), with
//! named placeholders such as `{number}` and `{department}`. The operator may override any
//! template in a JSON file named by `SWITCHBOARD_BOT_TEXTS`:
//! `{"en": {"greeting": "Hi {name}!"}, "ru": {"status_none": "..."}}`. A bad file (unreadable,
//! not JSON, an unknown key, a placeholder the text does not have) fails start-up naming the file
//! and the key.

use std::{collections::HashMap, path::Path};

use anyhow::{Context, bail};
use serde_json::Value;

/// The language used when the customer's is missing or has no templates.
pub const FALLBACK_LANGUAGE: &str = "en";

/// One text the bot sends: its key in override files and the placeholders it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Text {
    /// The acknowledgement of a new ticket (`{number}`).
    Acknowledgement,
    /// The question with one button per open department.
    RoutingQuestion,
    /// The answer to a department button (`{department}`).
    Routed,
    /// A button pressed when an agent has the ticket.
    WithAgent,
    /// A button of a closed ticket.
    ButtonClosed,
    /// A button that no longer works.
    Unavailable,
    /// The ticket was passed to another department (`{number}`, `{department}`).
    PassedOn,
    /// The ticket was closed (`{number}`).
    Closed,
    /// The answer to `/start` (`{name}`).
    Greeting,
    /// The answer to `/status` with an open ticket (`{number}`, `{department}`, `{state}`).
    StatusOpen,
    /// The answer to `/status` without an open ticket.
    StatusNone,
    /// The state of a ticket waiting for an agent, for `{state}`.
    StatePending,
    /// The state of a ticket an agent has, for `{state}`.
    StateWithAgent,
    /// The description of `/start` in Telegram's command menu.
    CommandStart,
    /// The description of `/status` in Telegram's command menu.
    CommandStatus,
    /// The description of `/new` in Telegram's command menu.
    CommandNew,
    /// The reminder to a customer who has not answered for a while (`{number}`).
    IdleReminder,
    /// A new ticket opened outside its department's business hours (`{until}`).
    Away,
    /// After a close: the question with the star buttons (`{number}`).
    RatingQuestion,
    /// The question once answered, its buttons gone (`{number}`, `{stars}`).
    RatingChosen,
    /// After a star: thanks, and the invitation to add a comment (`{minutes}`).
    RatingCommentPrompt,
    /// A comment was stored.
    RatingCommentThanks,
    /// A star pressed on a ticket rated already (`{stars}`).
    RatingAlready,
}

impl Text {
    /// Every text.
    pub const ALL: [Self; 23] = [
        Self::Acknowledgement,
        Self::RoutingQuestion,
        Self::Routed,
        Self::WithAgent,
        Self::ButtonClosed,
        Self::Unavailable,
        Self::PassedOn,
        Self::Closed,
        Self::Greeting,
        Self::StatusOpen,
        Self::StatusNone,
        Self::StatePending,
        Self::StateWithAgent,
        Self::CommandStart,
        Self::CommandStatus,
        Self::CommandNew,
        Self::IdleReminder,
        Self::Away,
        Self::RatingQuestion,
        Self::RatingChosen,
        Self::RatingCommentPrompt,
        Self::RatingCommentThanks,
        Self::RatingAlready,
    ];

    /// Its key in an override file.
    pub fn key(self) -> &'static str {
        match self {
            Self::Acknowledgement => "acknowledgement",
            Self::RoutingQuestion => "routing_question",
            Self::Routed => "routed",
            Self::WithAgent => "with_agent",
            Self::ButtonClosed => "button_closed",
            Self::Unavailable => "unavailable",
            Self::PassedOn => "passed_on",
            Self::Closed => "closed",
            Self::Greeting => "greeting",
            Self::StatusOpen => "status_open",
            Self::StatusNone => "status_none",
            Self::StatePending => "state_pending",
            Self::StateWithAgent => "state_with_agent",
            Self::CommandStart => "command_start",
            Self::CommandStatus => "command_status",
            Self::CommandNew => "command_new",
            Self::IdleReminder => "idle_reminder",
            Self::Away => "away",
            Self::RatingQuestion => "rating_question",
            Self::RatingChosen => "rating_chosen",
            Self::RatingCommentPrompt => "rating_comment_prompt",
            Self::RatingCommentThanks => "rating_comment_thanks",
            Self::RatingAlready => "rating_already",
        }
    }

    /// The placeholders its template may use.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            Self::Acknowledgement | Self::Closed | Self::IdleReminder => &["number"],
            Self::Away => &["until"],
            Self::Routed => &["department"],
            Self::PassedOn => &["number", "department"],
            Self::Greeting => &["name"],
            Self::StatusOpen => &["number", "department", "state"],
            Self::RatingQuestion => &["number"],
            Self::RatingChosen => &["number", "stars"],
            Self::RatingCommentPrompt => &["minutes"],
            Self::RatingAlready => &["stars"],
            _ => &[],
        }
    }

    fn english(self) -> &'static str {
        match self {
            Self::Acknowledgement => {
                "Thanks for your message! Your request is ticket #{number}. An agent will reply here shortly."
            }
            Self::RoutingQuestion => "Which team do you need?",
            Self::Routed => "{department} will answer you here.",
            Self::WithAgent => "Your request is already with an agent.",
            Self::ButtonClosed => "This request is closed. Write again if you need more help.",
            Self::Unavailable => "Sorry, that choice is no longer available.",
            Self::PassedOn => "Your request #{number} was passed to {department}.",
            Self::Closed => "Your request #{number} is closed. Write again if you need more help.",
            Self::Greeting => {
                "Hello, {name}! Write your question here and an agent will answer. /status shows your open request, /new starts another one."
            }
            Self::StatusOpen => "Your request #{number} ({department}) is {state}.",
            Self::StatusNone => "You have no open request. Write a message to start one.",
            Self::StatePending => "waiting for an agent",
            Self::StateWithAgent => "with an agent",
            Self::CommandStart => "Start a conversation",
            Self::CommandStatus => "Show your open request",
            Self::CommandNew => "Start a separate request",
            Self::IdleReminder => {
                "Are you still there? Your request #{number} will be closed soon if we don't hear from you."
            }
            Self::Away => {
                "We're away until {until}. Your request is queued and an agent will answer when we're back."
            }
            Self::RatingQuestion => {
                "How did we do with request #{number}? Rate it from 1 to 5 stars."
            }
            Self::RatingChosen => "Request #{number}: you rated it {stars}. Thank you!",
            Self::RatingCommentPrompt => {
                "Thanks for rating! If you like, tell us more in one message within {minutes} minutes. To start a new request instead, send /new."
            }
            Self::RatingCommentThanks => "Thank you for your comment!",
            Self::RatingAlready => "You rated this request already: {stars}.",
        }
    }

    fn russian(self) -> &'static str {
        match self {
            Self::Acknowledgement => {
                "Спасибо за сообщение! Ваше обращение — заявка #{number}. Оператор скоро ответит здесь."
            }
            Self::RoutingQuestion => "Какой отдел вам нужен?",
            Self::Routed => "Вам ответит отдел «{department}».",
            Self::WithAgent => "Вашим обращением уже занимается оператор.",
            Self::ButtonClosed => "Это обращение закрыто. Напишите снова, если нужна помощь.",
            Self::Unavailable => "Извините, этот выбор больше недоступен.",
            Self::PassedOn => "Ваше обращение #{number} передано в отдел «{department}».",
            Self::Closed => "Ваше обращение #{number} закрыто. Напишите снова, если нужна помощь.",
            Self::Greeting => {
                "Здравствуйте, {name}! Напишите свой вопрос, и оператор ответит. /status покажет открытое обращение, /new начнёт новое."
            }
            Self::StatusOpen => "Ваше обращение #{number} ({department}): {state}.",
            Self::StatusNone => "У вас нет открытых обращений. Напишите сообщение, чтобы начать.",
            Self::StatePending => "ждёт оператора",
            Self::StateWithAgent => "у оператора",
            Self::CommandStart => "Начать разговор",
            Self::CommandStatus => "Открытое обращение",
            Self::CommandNew => "Начать отдельное обращение",
            Self::IdleReminder => {
                "Вы ещё здесь? Обращение #{number} скоро будет закрыто, если вы не ответите."
            }
            Self::Away => {
                "Мы вернёмся {until}. Ваше обращение в очереди, оператор ответит, когда мы вернёмся."
            }
            Self::RatingQuestion => {
                "Как мы справились с обращением #{number}? Оцените от 1 до 5 звёзд."
            }
            Self::RatingChosen => "Обращение #{number}: ваша оценка {stars}. Спасибо!",
            Self::RatingCommentPrompt => {
                "Спасибо за оценку! Если хотите, напишите отзыв одним сообщением в течение {minutes} минут. Чтобы начать новое обращение, отправьте /new."
            }
            Self::RatingCommentThanks => "Спасибо за отзыв!",
            Self::RatingAlready => "Вы уже оценили это обращение: {stars}.",
        }
    }
}

/// The bot's templates per language, the built-in ones with the operator's overrides applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotTexts {
    templates: HashMap<String, HashMap<Text, String>>,
}

impl Default for BotTexts {
    fn default() -> Self {
        let language = |text: fn(Text) -> &'static str| {
            Text::ALL
                .iter()
                .map(|t| (*t, text(*t).to_owned()))
                .collect::<HashMap<_, _>>()
        };
        let mut templates = HashMap::new();
        templates.insert("en".to_owned(), language(Text::english));
        templates.insert("ru".to_owned(), language(Text::russian));
        Self { templates }
    }
}

impl BotTexts {
    /// The built-in templates with the overrides in the JSON file at `path`. Fails naming the
    /// file (and the key) when the file cannot be read or holds a bad template.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let body = std::fs::read_to_string(path)
            .with_context(|| format!("reading the bot texts file {}", path.display()))?;
        Self::with_overrides(&body)
            .with_context(|| format!("in the bot texts file {}", path.display()))
    }

    /// The built-in templates with the overrides in `json` (language → key → template).
    pub fn with_overrides(json: &str) -> anyhow::Result<Self> {
        let value: Value = serde_json::from_str(json).context("the file is not valid JSON")?;
        let Value::Object(languages) = value else {
            bail!("the file must be a JSON object of languages (\"en\": {{...}})");
        };
        let mut texts = Self::default();
        for (language, keys) in languages {
            if language.is_empty()
                || language.len() > 16
                || !language
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                bail!("language {language:?}: not a language code");
            }
            let Value::Object(keys) = keys else {
                bail!("language {language:?}: must be an object of texts");
            };
            // A language without built-in templates takes the fallback's for the keys it lacks.
            let templates = texts.templates.entry(language.to_lowercase()).or_default();
            for (key, template) in keys {
                let where_ = format!("{language}.{key}");
                let text = Text::ALL
                    .into_iter()
                    .find(|t| t.key() == key)
                    .with_context(|| format!("key {where_}: no such text"))?;
                let Value::String(template) = template else {
                    bail!("key {where_}: must be a string");
                };
                check_template(text, &template).with_context(|| format!("key {where_}"))?;
                templates.insert(text, template);
            }
        }
        Ok(texts)
    }

    /// These templates with `overrides` (language, key, template) applied on top; an entry
    /// naming no text or holding a bad template is skipped and logged.
    pub fn overridden<'a>(
        &self,
        overrides: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    ) -> Self {
        let mut texts = self.clone();
        for (language, key, template) in overrides {
            match check_override(language, key, template) {
                Ok(text) => {
                    texts
                        .templates
                        .entry(language.to_owned())
                        .or_default()
                        .insert(text, template.to_owned());
                }
                Err(error) => {
                    tracing::warn!(language, key, %error, "skipping a bad bot text override");
                }
            }
        }
        texts
    }

    /// The template of `text` in exactly `language` (no fallback), when it has one.
    pub fn template(&self, language: &str, text: Text) -> Option<&str> {
        self.templates
            .get(language)
            .and_then(|t| t.get(&text))
            .map(String::as_str)
    }

    /// `text` in the language of `language_code` (its primary subtag: `ru-RU` → `ru`; English
    /// when there are no templates for it) with the placeholders filled from `values`.
    pub fn render(
        &self,
        text: Text,
        language_code: Option<&str>,
        values: &[(&str, &str)],
    ) -> String {
        let template = self
            .language(language_code)
            .get(&text)
            .or_else(|| self.templates[FALLBACK_LANGUAGE].get(&text))
            .map_or_else(|| text.english(), String::as_str);
        fill(template, values)
    }

    /// The languages with templates, the fallback first.
    pub fn languages(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.templates.keys().map(String::as_str).collect();
        all.sort_by_key(|l| (*l != FALLBACK_LANGUAGE, *l));
        all
    }

    fn language(&self, language_code: Option<&str>) -> &HashMap<Text, String> {
        let primary = language_code
            .and_then(|code| code.split(['-', '_']).next())
            .map(str::to_lowercase);
        primary
            .and_then(|p| self.templates.get(&p))
            .unwrap_or(&self.templates[FALLBACK_LANGUAGE])
    }
}

/// The text `key` names, when `language` is a language code and `template` a usable template for
/// it; else why not.
pub fn check_override(language: &str, key: &str, template: &str) -> anyhow::Result<Text> {
    if language.is_empty()
        || language.len() > 16
        || !language
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        bail!("{language:?} is not a language code (lowercase letters, digits and -)");
    }
    let text = Text::ALL
        .into_iter()
        .find(|t| t.key() == key)
        .with_context(|| format!("there is no bot text {key:?}"))?;
    check_template(text, template)?;
    Ok(text)
}

/// Refuses an empty template, one past Telegram's 4096 characters, an unclosed brace and a
/// placeholder `text` does not have.
fn check_template(text: Text, template: &str) -> anyhow::Result<()> {
    if template.trim().is_empty() {
        bail!("the text is empty");
    }
    if template.chars().count() > 4096 {
        bail!("the text is longer than Telegram's 4096 characters");
    }
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            bail!("an unclosed {{");
        };
        let name = &after[..end];
        if !text.placeholders().contains(&name) {
            bail!(
                "unknown placeholder {{{name}}} (this text has: {})",
                text.placeholders()
                    .iter()
                    .map(|p| format!("{{{p}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

/// `template` with each `{name}` replaced by its value (in one pass: a value holding braces is
/// not filled again).
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let value = after.find('}').and_then(|end| {
            values
                .iter()
                .find(|(name, _)| *name == &after[..end])
                .map(|(_, value)| (end, *value))
        });
        match value {
            Some((end, value)) => {
                out.push_str(value);
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_code_chooses_the_templates_and_falls_back_to_english() {
        let texts = BotTexts::default();
        let ack = |code| texts.render(Text::Acknowledgement, code, &[("number", "7")]);
        assert!(ack(Some("ru")).contains("заявка #7"), "{}", ack(Some("ru")));
        assert!(ack(Some("ru-RU")).contains("заявка #7"));
        assert!(ack(Some("de")).contains("ticket #7"));
        assert!(ack(None).contains("ticket #7"));
    }

    #[test]
    fn every_built_in_template_uses_only_its_placeholders() {
        for text in Text::ALL {
            check_template(text, text.english()).unwrap();
            check_template(text, text.russian()).unwrap();
        }
    }

    #[test]
    fn values_with_braces_are_not_filled_again() {
        assert_eq!(
            fill("{a} and {b}", &[("a", "{b}"), ("b", "x")]),
            "{b} and x"
        );
        assert_eq!(fill("{unknown}", &[]), "{unknown}");
    }

    #[test]
    fn an_override_replaces_one_template_and_adds_a_language() {
        let texts = BotTexts::with_overrides(
            r#"{"en": {"greeting": "Hi {name}"}, "de": {"status_none": "Nichts offen."}}"#,
        )
        .unwrap();
        assert_eq!(
            texts.render(Text::Greeting, None, &[("name", "Ann")]),
            "Hi Ann"
        );
        assert_eq!(
            texts.render(Text::StatusNone, Some("de"), &[]),
            "Nichts offen."
        );
        assert!(
            texts
                .render(Text::Greeting, Some("de"), &[("name", "A")])
                .starts_with("Hi A")
        );
    }

    #[test]
    fn a_bad_override_names_the_key() {
        for (json, named) in [
            (r#"{"en": {"greting": "x"}}"#, "en.greting"),
            (r#"{"ru": {"greeting": "{number}"}}"#, "ru.greeting"),
            (r#"{"en": {"closed": ""}}"#, "en.closed"),
            (r#"{"en": {"closed": 5}}"#, "en.closed"),
        ] {
            let error = format!("{:#}", BotTexts::with_overrides(json).unwrap_err());
            assert!(error.contains(named), "{json}: {error}");
        }
        assert!(BotTexts::with_overrides("[1]").is_err());
        assert!(BotTexts::with_overrides("{").is_err());
    }
}
