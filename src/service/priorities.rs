//! Client priorities: supervisors and admins mark a client normal, priority or VIP; their open
//! tickets move in the Pending queue at once. (Departments' priorities are set with the other
//! department settings, see `departments`.)

use super::{Actor, Service, ServiceError, record_ticket_updated};
use crate::{
    domain::{ClientId, Priority},
    store,
    views::ClientView,
};

impl Service {
    /// Sets a client's priority (supervisors and admins) and tells the consoles of the client's
    /// open tickets (a `ticket.updated` each; a client has a few at most).
    pub async fn set_client_priority(
        &self,
        actor: &Actor,
        id: ClientId,
        priority: Priority,
    ) -> Result<ClientView, ServiceError> {
        if !actor.agent.role.sees_all_departments() {
            return Err(ServiceError::Forbidden(
                "only a supervisor or an admin may set a client's priority".to_owned(),
            ));
        }
        let txn = store::begin_write(&self.db).await?;
        if !store::priorities::set_client(&txn, id, priority).await? {
            return Err(ServiceError::NotFound);
        }
        let client = store::clients::find(&txn, id)
            .await?
            .ok_or_else(|| ServiceError::bug(format!("client {id} vanished")))?;
        let open = store::tickets::open_for_client(&txn, id).await?;
        let views = store::tickets::views(&txn, open).await?;
        let events = views
            .iter()
            .map(|view| record_ticket_updated(view, None))
            .collect::<Result<Vec<_>, _>>()?;
        self.commit(txn, events).await?;
        tracing::info!(client.id = %id, ?priority, agent.id = %actor.agent.id, "client priority set");
        Ok(ClientView {
            id: client.id,
            telegram_id: client.telegram_id,
            username: client.username,
            name: client.name,
            priority: client.priority,
        })
    }
}
