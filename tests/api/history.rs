//! History: closed tickets found by ticket number, username, client id or Telegram id, newest
//! first a page at a time, only within what the agent may see; a client's earlier tickets.

use serde_json::json;
use switchboard::{
    domain::{Role, TicketId, TicketStatus},
    simulator::Customer,
    views::TicketView,
};

use crate::support::{Backend, Session, TestApp, customer, spawn_app};

/// A customer opens a ticket that `agent` accepts and closes; returns it as closed.
async fn closed_ticket(app: &TestApp, agent: &Session, who: &Customer) -> TicketView {
    let number = app.customer_opens_ticket(who, "help").await;
    agent.accept(number).await.expect::<TicketView>(200);
    agent
        .post(
            &format!("/api/tickets/{number}/close"),
            json!({"reason": "resolved"}),
        )
        .await
        .expect(200)
}

async fn numbers(session: &Session, query: &str) -> Vec<TicketId> {
    session
        .get_json::<Vec<TicketView>>(&format!("/api/tickets?{query}"))
        .await
        .into_iter()
        .map(|t| t.number)
        .collect()
}

async fn closed_tickets_are_found_by_number_username_client_id_and_telegram_id_within_scope(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.add_department("Billing").await;
    let alice = app.agent("alice").await;
    app.add_agent("olga", Role::Agent, &["Billing"]).await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    let (olga, sam) = (app.login("olga").await, app.login("sam").await);
    let ann = customer(7_000_001, "Ann");
    let bob = customer(7_000_002, "Bobby");
    let first = closed_ticket(&app, &alice, &ann).await;
    let second = closed_ticket(&app, &alice, &bob).await;
    let open = app
        .customer_opens_ticket(&customer(7_000_003, "Carl"), "still open")
        .await;

    assert_eq!(
        numbers(&alice, "status=closed").await,
        [second.number, first.number],
        "closed only, newest first"
    );
    assert!(
        numbers(&alice, &format!("status=closed&q={}", first.number))
            .await
            .contains(&first.number),
        "by ticket number"
    );
    assert_eq!(
        numbers(&alice, &format!("status=closed&q=%23{}", second.number))
            .await
            .first(),
        Some(&second.number),
        "by #number"
    );
    for q in ["ann", "ANN", "%40Ann"] {
        assert_eq!(
            numbers(&alice, &format!("status=closed&q={q}")).await,
            [first.number],
            "by username {q}"
        );
    }
    assert_eq!(
        numbers(&alice, "status=closed&q=7000002").await,
        [second.number],
        "by Telegram id"
    );
    let by_client = numbers(&alice, &format!("status=closed&q={}", second.client.id)).await;
    assert!(
        by_client.contains(&second.number),
        "by client id: {by_client:?}"
    );
    assert!(numbers(&alice, "status=closed&q=nobody").await.is_empty());
    assert!(
        numbers(&alice, "status=closed&q=carl").await.is_empty(),
        "an open ticket is not in History"
    );
    assert_eq!(
        numbers(&alice, "q=carl").await,
        [open],
        "without a status, every status"
    );

    assert!(
        numbers(&olga, "status=closed&q=ann").await.is_empty(),
        "an agent of another department finds nothing"
    );
    assert!(numbers(&olga, "status=closed").await.is_empty());
    assert!(
        numbers(&olga, &format!("client_id={}", first.client.id))
            .await
            .is_empty()
    );
    assert_eq!(
        numbers(&sam, "status=closed&q=ann").await,
        [first.number],
        "a supervisor finds every department's"
    );
}

async fn history_pages_newest_first_and_bad_parameters_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let mut closed = Vec::new();
    for i in 0..5 {
        closed.push(
            closed_ticket(&app, &alice, &customer(7_100_000 + i, "Ann"))
                .await
                .number,
        );
    }
    closed.reverse();

    let page = numbers(&alice, "status=closed&limit=2").await;
    assert_eq!(page, closed[..2]);
    let next = numbers(&alice, &format!("status=closed&limit=2&before={}", page[1])).await;
    assert_eq!(next, closed[2..4]);
    let last = numbers(&alice, &format!("status=closed&limit=2&before={}", next[1])).await;
    assert_eq!(last, closed[4..]);
    assert_eq!(numbers(&alice, "status=closed&limit=100").await, closed);

    for bad in [
        "limit=0",
        "limit=101",
        "limit=ten",
        "before=x",
        "client_id=abc",
    ] {
        let reply = alice
            .get(&format!("/api/tickets?status=closed&{bad}"))
            .await;
        assert_eq!(reply.refusal(), (422, "invalid".to_owned()), "{bad}");
    }
    let ticket: TicketView = alice.get_json(&format!("/api/tickets/{}", closed[0])).await;
    assert_eq!(ticket.status, TicketStatus::Closed);
    let mine = numbers(&alice, &format!("client_id={}", ticket.client.id)).await;
    assert_eq!(mine, [closed[0]], "a client's tickets");
}

crate::backend_tests!(
    closed_tickets_are_found_by_number_username_client_id_and_telegram_id_within_scope,
    history_pages_newest_first_and_bad_parameters_are_refused,
);
