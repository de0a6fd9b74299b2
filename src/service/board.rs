//! The supervisor board: per department the Pending count, the longest wait, the tickets past the
//! first-response target, and who is online holding how many tickets. Supervisors and admins.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::{Actor, Service, ServiceError};
use crate::{
    domain::{AgentId, DepartmentId, Presence},
    store,
    views::{BoardAgentView, BoardDepartmentView, BoardView},
};

impl Service {
    /// The board as of `now`: every department (by position) with its figures, each figure one
    /// grouped query whatever the number of departments, agents or tickets.
    pub async fn board(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<BoardView, ServiceError> {
        if !actor.agent.role.sees_all_departments() {
            return Err(ServiceError::Forbidden(
                "only a supervisor or an admin may see the board".to_owned(),
            ));
        }
        let (rows, _) =
            store::departments::list(&self.db, store::paging::Page::first(store::MAX_LIST_ROWS))
                .await?;
        let pending = store::board::pending(&self.db).await?;
        let held = store::board::held(&self.db).await?;
        let targets: Vec<(DepartmentId, i32)> = rows
            .iter()
            .filter_map(|d| Some((d.id, d.first_response_target_secs?)))
            .collect();
        let past = store::board::past_target(&self.db, &targets, now).await?;
        let mut members = store::departments::agents(&self.db).await?;
        // Holders who are not members (a supervisor who took a ticket over) need their names.
        let outsiders: Vec<AgentId> = held
            .keys()
            .filter(|(department, agent)| {
                !members
                    .get(department)
                    .is_some_and(|list| list.iter().any(|(id, _)| id == agent))
            })
            .map(|(_, agent)| *agent)
            .collect();
        let outsider_names = store::agents::names(&self.db, outsiders).await?;
        let everyone: Vec<AgentId> = members
            .values()
            .flatten()
            .map(|(id, _)| *id)
            .chain(outsider_names.keys().copied())
            .collect();
        let presence = self.presence_of(&everyone).await?;
        let departments = rows
            .into_iter()
            .map(|row| {
                let figures = pending.get(&row.id).copied();
                let mut agents: BTreeMap<(String, AgentId), BoardAgentView> = BTreeMap::new();
                let mut add = |id: AgentId, name: String, member: bool| {
                    agents.insert(
                        (name.clone(), id),
                        BoardAgentView {
                            id,
                            name,
                            presence: presence.get(&id).copied().unwrap_or(Presence::Offline),
                            open_tickets: held.get(&(row.id, id)).copied().unwrap_or_default(),
                            member,
                        },
                    );
                };
                for (id, name) in members.remove(&row.id).unwrap_or_default() {
                    add(id, name, true);
                }
                let holders: HashMap<AgentId, &String> = held
                    .keys()
                    .filter(|(department, _)| *department == row.id)
                    .filter_map(|(_, agent)| outsider_names.get(agent).map(|n| (*agent, n)))
                    .collect();
                for (id, name) in holders {
                    add(id, name.clone(), false);
                }
                BoardDepartmentView {
                    id: row.id,
                    name: row.name,
                    priority: row.priority,
                    first_response_target_secs: row.first_response_target_secs,
                    pending: figures.map(|f| f.count).unwrap_or_default(),
                    oldest_pending_at: figures.and_then(|f| f.oldest),
                    past_target: past.get(&row.id).copied().unwrap_or_default(),
                    agents: agents.into_values().collect(),
                }
            })
            .collect();
        Ok(BoardView {
            at: now,
            departments,
        })
    }
}
