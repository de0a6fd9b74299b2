//! The lifecycle timers' background loop: every instance runs `Service::run_timers` every
//! minute (the first pass soon after start, catching what fell due while it was down). Each
//! firing is claimed in the database, so several instances fire each timer once.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::service::Service;

/// How often the timers run.
pub const EVERY: Duration = Duration::from_secs(60);
/// The wait before the first pass.
const FIRST: Duration = Duration::from_secs(10);

/// Runs the timers every `EVERY` until `shutdown`.
pub async fn run(service: Service, shutdown: CancellationToken) {
    let mut wait = FIRST;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
        }
        wait = EVERY;
        if let Err(error) = service.run_timers().await {
            tracing::warn!(error = ?error, "running the lifecycle timers failed");
        }
    }
}
