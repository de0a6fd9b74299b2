//! The bot's texts as the operator overrides them from the console: stored in the database,
//! applied over the built-in templates and the `SWITCHBOARD_BOT_TEXTS` file (the database wins),
//! and read again on every instance when the event log says they changed.

use std::sync::{Arc, RwLock};

use sea_orm::{DatabaseConnection, DbErr};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::{Actor, Service, ServiceError, admin::admin_only};
use crate::{
    hub::Control,
    store::{self, audit::AuditActor},
    texts::{BotTexts, Text, check_override},
    views::BotTextView,
};

/// The bot's texts in force: the file's (or built-in) templates with the database's overrides.
pub struct LiveTexts {
    /// Built-in templates with the file's overrides.
    base: BotTexts,
    /// `base` with the database's overrides, swapped whole on a reload.
    current: RwLock<Arc<BotTexts>>,
}

impl LiveTexts {
    /// The texts `base` until the database's overrides are read.
    pub fn new(base: BotTexts) -> Self {
        let current = RwLock::new(Arc::new(base.clone()));
        Self { base, current }
    }

    /// The texts in force now.
    pub fn current(&self) -> Arc<BotTexts> {
        // A poisoned lock still holds a whole value (it is only ever replaced).
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// `text` rendered from the texts in force now (see `BotTexts::render`).
    pub fn render(
        &self,
        text: Text,
        language_code: Option<&str>,
        values: &[(&str, &str)],
    ) -> String {
        self.current().render(text, language_code, values)
    }

    /// Reads the database's overrides again.
    pub async fn reload(&self, db: &DatabaseConnection) -> Result<(), DbErr> {
        let rows = store::bot_texts::all(db).await?;
        let texts = self.base.overridden(
            rows.iter()
                .map(|r| (r.language.as_str(), r.key.as_str(), r.template.as_str())),
        );
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(texts);
        Ok(())
    }
}

/// How many overrides the console may store (languages × texts is bounded by this).
pub const MAX_OVERRIDES: u64 = 1_000;

impl Service {
    /// Every bot text in every language that has templates (built-in, file or console), with its
    /// override state (admins only).
    pub async fn bot_texts(&self, actor: &Actor) -> Result<Vec<BotTextView>, ServiceError> {
        admin_only(actor)?;
        let overrides = store::bot_texts::all(&self.db).await?;
        let current = self.texts.current();
        let mut languages: Vec<String> = self
            .texts
            .base
            .languages()
            .into_iter()
            .map(str::to_owned)
            .collect();
        for row in &overrides {
            if !languages.contains(&row.language) {
                languages.push(row.language.clone());
            }
        }
        let mut views = Vec::new();
        for language in &languages {
            for text in Text::ALL {
                let default = self
                    .texts
                    .base
                    .template(language, text)
                    .or_else(|| {
                        self.texts
                            .base
                            .template(crate::texts::FALLBACK_LANGUAGE, text)
                    })
                    .unwrap_or_default()
                    .to_owned();
                let overridden = overrides
                    .iter()
                    .any(|r| r.language == *language && r.key == text.key());
                let template = current
                    .template(language, text)
                    .map_or_else(|| default.clone(), str::to_owned);
                views.push(BotTextView {
                    language: language.clone(),
                    key: text.key().to_owned(),
                    placeholders: text
                        .placeholders()
                        .iter()
                        .map(|p| (*p).to_owned())
                        .collect(),
                    template,
                    default,
                    overridden,
                });
            }
        }
        Ok(views)
    }

    /// Overrides the bot text `key` in `language` (admins only); applies at once on every
    /// instance. Refuses an unknown key, a bad language code or a bad template (422).
    pub async fn set_bot_text(
        &self,
        actor: &Actor,
        language: &str,
        key: &str,
        template: &str,
    ) -> Result<(), ServiceError> {
        admin_only(actor)?;
        check_override(language, key, template)
            .map_err(|e| ServiceError::Invalid(format!("{e:#}")))?;
        let txn = store::begin_write(&self.db).await?;
        let before = store::bot_texts::find(&txn, language, key).await?;
        if before.is_none() && store::bot_texts::count(&txn).await? >= MAX_OVERRIDES {
            return Err(ServiceError::Conflict(format!(
                "there are {MAX_OVERRIDES} overrides already; remove one first"
            )));
        }
        store::bot_texts::set(&txn, language, key, template).await?;
        store::audit::record(
            &txn,
            &audit_actor(actor),
            "bot_text.set",
            &format!("bot_text:{language}.{key}"),
            json!({
                "language": language,
                "key": key,
                "template": { "from": before.map(|b| b.template), "to": template },
            }),
        )
        .await?;
        self.commit_control(txn, Control::Texts).await?;
        self.texts.reload(&self.db).await?;
        Ok(())
    }

    /// Removes the console's override of `key` in `language` (admins only); 404 when there is none.
    pub async fn reset_bot_text(
        &self,
        actor: &Actor,
        language: &str,
        key: &str,
    ) -> Result<(), ServiceError> {
        admin_only(actor)?;
        let txn = store::begin_write(&self.db).await?;
        let Some(before) = store::bot_texts::find(&txn, language, key).await? else {
            return Err(ServiceError::NotFound);
        };
        store::bot_texts::remove(&txn, language, key).await?;
        store::audit::record(
            &txn,
            &audit_actor(actor),
            "bot_text.reset",
            &format!("bot_text:{language}.{key}"),
            json!({ "language": language, "key": key, "template": { "from": before.template } }),
        )
        .await?;
        self.commit_control(txn, Control::Texts).await?;
        self.texts.reload(&self.db).await?;
        Ok(())
    }

    /// Reads the bot texts again whenever the event log says they changed, until `shutdown`.
    pub async fn follow_bot_texts(self, shutdown: CancellationToken) {
        if let Err(error) = self.texts.reload(&self.db).await {
            tracing::warn!(%error, "reading the bot text overrides");
        }
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = self.hub.texts_changed() => {}
            }
            if let Err(error) = self.texts.reload(&self.db).await {
                tracing::warn!(%error, "reading the bot text overrides");
            }
        }
    }

    /// Reads the bot texts' overrides from the database (at start-up).
    pub async fn load_bot_texts(&self) -> Result<(), DbErr> {
        self.texts.reload(&self.db).await
    }
}

/// The audit trail's name for `actor`.
pub(super) fn audit_actor(actor: &Actor) -> AuditActor {
    AuditActor::agent(actor.agent.id, &actor.agent.login)
}
