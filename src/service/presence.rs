//! Presence: who is online, away or offline, and telling the consoles when it changes. A change is
//! written in one transaction that holds the agent's row, so that changes of one agent from any
//! instance happen one after another; only a change of the computed presence is announced.

use std::collections::HashMap;

use chrono::Utc;

use super::{Actor, Service, ServiceError};
use crate::{
    domain::{AgentId, DepartmentId, Presence},
    hub::ServerFrame,
    store,
    views::{AgentPresenceView, AgentRef},
};

/// What happened to an agent's presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresenceWrite {
    /// This instance now holds a console of theirs (or still does: refresh).
    Connected,
    /// This instance holds none of their consoles any more.
    Disconnected,
    /// They said they are away (true) or back (false).
    Away(bool),
}

impl Service {
    /// The presence of each of these agents (unknown ids are left out), in one batch.
    pub async fn presence_of(
        &self,
        ids: &[AgentId],
    ) -> Result<HashMap<AgentId, Presence>, ServiceError> {
        Ok(store::presence::of(&self.db, ids).await?)
    }

    /// A page of the active agents with their departments and presence (the online board), by
    /// name then id, after the agent `page.after`, and the agent the next page continues after
    /// when more remain. A cursor naming no agent is refused.
    pub async fn agents(
        &self,
        _actor: &Actor,
        page: store::paging::Page<AgentId>,
    ) -> Result<(Vec<AgentPresenceView>, Option<AgentId>), ServiceError> {
        let after = match page.after {
            None => None,
            Some(id) => {
                let name = store::agents::names(&self.db, vec![id])
                    .await?
                    .remove(&id)
                    .ok_or_else(|| ServiceError::Invalid(format!("after names no agent {id}")))?;
                Some((name, id))
            }
        };
        let page = store::paging::Page {
            limit: page.limit,
            after,
        };
        let (agents, next) = store::agents::list_active(&self.db, page).await?;
        let ids: Vec<AgentId> = agents.iter().map(|a| a.id).collect();
        let presence = self.presence_of(&ids).await?;
        let views = agents
            .into_iter()
            .map(|agent| AgentPresenceView {
                presence: presence
                    .get(&agent.id)
                    .copied()
                    .unwrap_or(Presence::Offline),
                agent,
            })
            .collect();
        Ok((views, next.map(|(_, id)| id)))
    }

    /// The actor says they are "online" or "away"; returns their presence as others now see it
    /// (offline while no console of theirs is connected). Anything else is refused.
    pub async fn set_presence(
        &self,
        actor: &Actor,
        choice: &str,
    ) -> Result<Presence, ServiceError> {
        let away = match Presence::choice(choice).map_err(ServiceError::Invalid)? {
            Presence::Away => true,
            Presence::Online | Presence::Offline => false,
        };
        self.write_presence(actor.agent.id, PresenceWrite::Away(away))
            .await
    }

    /// Records a change of an agent's presence on this instance; when their presence as others
    /// see it changed, tells the other instances and this one's consoles. Returns the presence.
    pub async fn write_presence(
        &self,
        agent_id: AgentId,
        write: PresenceWrite,
    ) -> Result<Presence, ServiceError> {
        let instance = self.hub.instance();
        let txn = store::begin_write(&self.db).await?;
        store::presence::lock_agent(&txn, agent_id).await?;
        let before = presence_in(&txn, agent_id).await?;
        match write {
            PresenceWrite::Connected => {
                store::presence::connect(&txn, agent_id, instance, Utc::now()).await?;
            }
            PresenceWrite::Disconnected => {
                store::presence::disconnect(&txn, agent_id, instance).await?;
            }
            PresenceWrite::Away(away) => store::presence::set_away(&txn, agent_id, away).await?,
        }
        let after = presence_in(&txn, agent_id).await?;
        if before != after {
            store::presence::announce(&txn, instance, agent_id).await?;
        }
        txn.commit().await?;
        if before != after {
            tracing::info!(agent.id = %agent_id, presence = %after, "presence changed");
            self.publish_presence(agent_id, after).await?;
        }
        Ok(after)
    }

    /// Refreshes this instance's presence rows; returns how many it has.
    pub async fn presence_heartbeat(&self) -> Result<u64, ServiceError> {
        Ok(store::presence::heartbeat(&self.db, self.hub.instance(), Utc::now()).await?)
    }

    /// Removes the presence rows of instances that have not refreshed them for `ttl` (they died)
    /// and announces the agents that went offline with them.
    pub async fn sweep_presence(&self, ttl: std::time::Duration) -> Result<(), ServiceError> {
        let ttl = chrono::Duration::from_std(ttl).map_err(|e| ServiceError::Other(e.into()))?;
        let cutoff = Utc::now() - ttl;
        let instance = self.hub.instance();
        for agent_id in store::presence::stale(&self.db, cutoff, instance).await? {
            let txn = store::begin_write(&self.db).await?;
            store::presence::lock_agent(&txn, agent_id).await?;
            let before = presence_in(&txn, agent_id).await?;
            let swept = store::presence::sweep(&txn, agent_id, cutoff, instance).await?;
            let after = presence_in(&txn, agent_id).await?;
            if before != after {
                store::presence::announce(&txn, instance, agent_id).await?;
            }
            txn.commit().await?;
            if swept > 0 {
                tracing::info!(agent.id = %agent_id, rows = swept, "swept presence of a dead instance");
            }
            if before != after {
                self.publish_presence(agent_id, after).await?;
            }
        }
        Ok(())
    }

    /// Another instance announced that an agent's presence changed: tell this instance's
    /// consoles what it now is.
    pub async fn presence_changed_elsewhere(&self, agent_id: AgentId) -> Result<(), ServiceError> {
        let presence = presence_in(&self.db, agent_id).await?;
        self.publish_presence(agent_id, presence).await
    }

    /// Sends `presence.updated` to this instance's consoles that see any of the agent's
    /// departments.
    async fn publish_presence(
        &self,
        agent_id: AgentId,
        presence: Presence,
    ) -> Result<(), ServiceError> {
        let Some(agent) = store::agents::view(&self.db, agent_id).await? else {
            return Ok(());
        };
        let departments: Vec<DepartmentId> = agent.departments.iter().map(|d| d.id).collect();
        let frame = ServerFrame::PresenceUpdated {
            agent: AgentRef {
                id: agent.id,
                name: agent.name,
            },
            presence,
            departments: departments.clone(),
        };
        self.hub
            .publish_about_agent(agent_id, &departments, &frame.to_text());
        Ok(())
    }
}

/// One agent's presence as the connection sees it.
async fn presence_in<C>(c: &C, agent_id: AgentId) -> Result<Presence, ServiceError>
where
    C: sea_orm::ConnectionTrait,
{
    Ok(store::presence::of(c, &[agent_id])
        .await?
        .remove(&agent_id)
        .unwrap_or(Presence::Offline))
}
