//! The breach checker: every `EVERY` it records the waits that went past their department's
//! first-response target (`Service::check_breaches`); every instance runs it, and the database
//! decides which instance records (and alerts) each breach.

use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use crate::service::Service;

/// How often the checker runs (a breach is alerted at most this late).
pub const EVERY: Duration = Duration::from_secs(15);

/// Checks every `EVERY` until `shutdown`.
pub async fn run(service: Service, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(EVERY) => {}
        }
        if let Err(error) = service.check_breaches(Utc::now()).await {
            tracing::warn!(error = ?error, "checking first-response targets failed");
        }
    }
}
