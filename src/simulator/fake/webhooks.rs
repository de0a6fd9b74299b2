//! What tests read of the fake's webhook side: the webhook the bot set, and its deliveries.

use std::time::Duration;

use super::FakeTelegram;
use crate::{domain::UpdateId, simulator::state::Delivery};

impl FakeTelegram {
    /// The webhook the bot set: its URL and secret; None when it polls.
    pub fn webhook(&self) -> Option<(String, Option<String>)> {
        self.inner
            .state()
            .webhook
            .as_ref()
            .map(|w| (w.url.clone(), w.secret.clone()))
    }

    /// Waits until the bot set a webhook (`setWebhook`); returns its URL and secret.
    pub async fn wait_for_webhook(&self, timeout: Duration) -> Option<(String, Option<String>)> {
        let mut changed = self.inner.webhook_changed.subscribe();
        tokio::time::timeout(timeout, async {
            loop {
                if let Some(webhook) = self.webhook() {
                    return Some(webhook);
                }
                changed.changed().await.ok()?;
            }
        })
        .await
        .ok()
        .flatten()
    }

    /// Sets the first pause before a failed webhook delivery is tried again (it doubles per
    /// failure, up to 5 s); 100 ms unless set.
    pub fn set_webhook_retry_delay(&self, delay: Duration) {
        self.inner.state().webhook_retry_delay = delay;
    }

    /// Every attempt to deliver an update to the webhook so far (the latest thousand).
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.inner.state().deliveries.clone()
    }

    /// Waits until the webhook accepted (answered 2xx) update `update_id`; false on timeout.
    pub async fn wait_delivered(&self, update: UpdateId, timeout: Duration) -> bool {
        let mut delivered = self.inner.delivered.subscribe();
        tokio::time::timeout(timeout, delivered.wait_for(|highest| *highest >= update.0))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Waits until `matches` holds for the deliveries made so far; false on timeout.
    pub async fn wait_for_deliveries(
        &self,
        timeout: Duration,
        matches: impl Fn(&[Delivery]) -> bool,
    ) -> bool {
        let mut made = self.inner.delivery_made.subscribe();
        tokio::time::timeout(timeout, async {
            loop {
                if matches(&self.deliveries()) {
                    return true;
                }
                if made.changed().await.is_err() {
                    return false;
                }
            }
        })
        .await
        .unwrap_or(false)
    }
}
