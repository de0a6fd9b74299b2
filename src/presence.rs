//! Keeps this instance's part of presence: writes to the database which agents have a console
//! here (when an agent's first console connects or their last one goes, not on every tab),
//! refreshes those rows with a heartbeat, sweeps the rows of instances that died, and on
//! PostgreSQL hears other instances' presence changes. The WebSocket handler never waits on any
//! of it: the hub only wakes this task.

use std::{collections::HashSet, time::Duration};

use sea_orm::sqlx::postgres::PgListener;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use crate::{
    domain::AgentId,
    service::{PresenceWrite, Service},
    store::{self, presence::NOTIFY_CHANNEL},
};

/// How often rows are refreshed and how old a row may get before its instance counts as dead.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub heartbeat: Duration,
    pub ttl: Duration,
}

/// Runs until `shutdown`; then removes this instance's rows, so its agents go offline at once
/// unless they have consoles elsewhere.
pub async fn run(service: Service, timing: Timing, shutdown: CancellationToken) {
    if let Err(error) =
        store::presence::forget_instance(service.db(), service.hub().instance()).await
    {
        tracing::warn!(%error, "clearing this instance's old presence rows");
    }
    let hub = service.hub().clone();
    let mut written: HashSet<AgentId> = HashSet::new();
    let mut tick = tokio::time::interval(timing.heartbeat);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = hub.agents_changed() => reconcile(&service, &mut written).await,
            _ = tick.tick() => {
                reconcile(&service, &mut written).await;
                heartbeat(&service, &mut written).await;
                if let Err(error) = service.sweep_presence(timing.ttl).await {
                    tracing::warn!(error = ?error, "sweeping the presence of dead instances");
                }
            }
        }
    }
    for agent_id in written {
        if let Err(error) = service
            .write_presence(agent_id, PresenceWrite::Disconnected)
            .await
        {
            tracing::warn!(agent.id = %agent_id, error = ?error, "clearing presence on shutdown");
        }
    }
}

/// Brings the database in line with the consoles connected here: rows for agents who came,
/// none for agents who left. A write that fails is tried again at the next heartbeat.
async fn reconcile(service: &Service, written: &mut HashSet<AgentId>) {
    let connected = service.hub().connected_agents();
    let came: Vec<AgentId> = connected.difference(written).copied().collect();
    let left: Vec<AgentId> = written.difference(&connected).copied().collect();
    for agent_id in came {
        match service
            .write_presence(agent_id, PresenceWrite::Connected)
            .await
        {
            Ok(_) => {
                written.insert(agent_id);
            }
            Err(error) => {
                tracing::warn!(agent.id = %agent_id, error = ?error, "recording a console")
            }
        }
    }
    for agent_id in left {
        match service
            .write_presence(agent_id, PresenceWrite::Disconnected)
            .await
        {
            Ok(_) => {
                written.remove(&agent_id);
            }
            Err(error) => {
                tracing::warn!(agent.id = %agent_id, error = ?error, "recording a console gone")
            }
        }
    }
}

/// Refreshes this instance's rows. When some are missing (another instance swept them while this
/// one was too slow to refresh), writes them again.
async fn heartbeat(service: &Service, written: &mut HashSet<AgentId>) {
    match service.presence_heartbeat().await {
        Ok(rows) if rows == written.len() as u64 => {}
        Ok(rows) => {
            tracing::warn!(
                rows,
                expected = written.len(),
                "presence rows went missing; writing them again"
            );
            written.clear();
            reconcile(service, written).await;
        }
        Err(error) => tracing::warn!(error = ?error, "presence heartbeat"),
    }
}

/// Hears other instances' presence changes and tells this instance's consoles. Only for
/// PostgreSQL.
pub async fn listen(service: Service, shutdown: CancellationToken) -> anyhow::Result<()> {
    let mut listener =
        PgListener::connect_with(service.db().get_postgres_connection_pool()).await?;
    listener.listen(NOTIFY_CHANNEL).await?;
    loop {
        let notification = tokio::select! {
            () = shutdown.cancelled() => return Ok(()),
            n = listener.recv() => n,
        };
        let notification = match notification {
            Ok(n) => n,
            Err(error) => {
                // Changes sent meanwhile are lost to live consoles; they read GET /api/agents
                // when they reconnect.
                tracing::warn!(%error, "presence relay lost its PostgreSQL connection");
                continue;
            }
        };
        let Some((instance, agent_id)) = notification.payload().split_once(':') else {
            continue;
        };
        if instance == service.hub().instance() {
            continue;
        }
        let Ok(agent_id) = agent_id.parse::<AgentId>() else {
            continue;
        };
        if let Err(error) = service.presence_changed_elsewhere(agent_id).await {
            tracing::warn!(agent.id = %agent_id, error = ?error, "relaying a presence change");
        }
    }
}
