//! Who may reassign, return and close: the owner, a supervisor and an admin may; another agent of
//! the department is refused (403); an agent of another department cannot see the ticket (404).
//! One fresh ticket per cell, and a refused action changes nothing.

use serde_json::json;
use switchboard::{
    domain::{DepartmentId, Role, TicketId},
    views::TicketView,
};

use crate::support::{Backend, Reply, Session, TestApp, customer, spawn_app};

#[derive(Debug, Clone, Copy)]
enum Action {
    Reassign,
    Return,
    Close,
}

impl Action {
    async fn run(self, who: &Session, ticket: TicketId, billing: DepartmentId) -> Reply {
        match self {
            Self::Reassign => {
                crate::reassign::reassign(who, ticket, json!({"department_id": billing})).await
            }
            Self::Return => {
                who.post(&format!("/api/tickets/{ticket}/return"), json!({}))
                    .await
            }
            Self::Close => {
                who.post(
                    &format!("/api/tickets/{ticket}/close"),
                    json!({"reason": "resolved"}),
                )
                .await
            }
        }
    }
}

/// Opens a fresh ticket in General, accepted by `owner` when given.
async fn fresh_ticket(app: &TestApp, customer_id: &mut i64, owner: Option<&Session>) -> TicketId {
    *customer_id += 1;
    let number = app
        .customer_opens_ticket(&customer(*customer_id, "Ann"), "hi")
        .await;
    if let Some(owner) = owner {
        owner.accept(number).await.expect::<TicketView>(200);
    }
    number
}

async fn who_may_reassign_return_and_close(backend: Backend) {
    let app = spawn_app(backend).await;
    let billing = app.add_department("Billing").await;
    let owner = app.agent("alice").await;
    let colleague = app.agent("bob").await;
    app.add_agent("olga", Role::Agent, &["Billing"]).await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    app.add_agent("ada", Role::Admin, &[]).await;
    let (outsider, supervisor, admin) = (
        app.login("olga").await,
        app.login("sam").await,
        app.login("ada").await,
    );
    let mut customers = 8000;

    // An accepted ticket (owned by alice): (who, [reassign, return, close]).
    let accepted: [(&Session, [u16; 3]); 5] = [
        (&owner, [200, 200, 200]),
        (&colleague, [403, 403, 403]),
        (&outsider, [404, 404, 404]),
        (&supervisor, [200, 200, 200]),
        (&admin, [200, 200, 200]),
    ];
    // A pending ticket: nobody owns it; it waits in its queue already, so a return is a conflict.
    let pending: [(&Session, [u16; 3]); 4] = [
        (&colleague, [403, 409, 403]),
        (&outsider, [404, 404, 404]),
        (&supervisor, [200, 409, 200]),
        (&admin, [200, 409, 200]),
    ];
    let actions = [Action::Reassign, Action::Return, Action::Close];
    let cells = accepted
        .iter()
        .map(|(who, statuses)| (Some(&owner), *who, *statuses))
        .chain(
            pending
                .iter()
                .map(|(who, statuses)| (None, *who, *statuses)),
        );
    for (ticket_owner, who, statuses) in cells {
        for (action, status) in actions.into_iter().zip(statuses) {
            let number = fresh_ticket(&app, &mut customers, ticket_owner).await;
            let before: TicketView = supervisor.get_json(&format!("/api/tickets/{number}")).await;
            let reply = action.run(who, number, billing).await;
            let cell = format!(
                "{action:?} by {} of a {:?} ticket",
                who.name(),
                before.status
            );
            assert_eq!(reply.status, status, "{cell}: {reply:?}");
            if status != 200 {
                let after: TicketView =
                    supervisor.get_json(&format!("/api/tickets/{number}")).await;
                assert_eq!(after, before, "{cell} changed nothing");
            }
        }
    }
}

crate::backend_tests!(who_may_reassign_return_and_close);
