//! Accept: exactly one owner, decided by the database; everyone sees who.

use futures_util::future::join_all;
use switchboard::{
    domain::{Role, TicketId, TicketStatus},
    views::{AgentRef, TicketView},
};

use crate::support::{Backend, customer, spawn_app};

async fn of_twenty_concurrent_accepts_exactly_one_wins_and_the_rest_learn_the_owner(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut agents = Vec::new();
    for i in 0..20 {
        agents.push(app.agent(&format!("agent{i:02}")).await);
    }
    let number = app
        .customer_opens_ticket(&customer(2001, "Ann"), "who wins?")
        .await;

    let replies = join_all(agents.iter().map(|a| a.accept(number))).await;

    let winners: Vec<usize> = replies
        .iter()
        .enumerate()
        .filter(|(_, r)| r.status == 200)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one accept wins: {replies:?}");
    let winner = &agents[winners[0]];
    for reply in replies.iter().filter(|r| r.status != 200) {
        assert_eq!(reply.status, 409, "{reply:?}");
        let refusal = reply.error();
        assert_eq!(refusal.error, "already_accepted");
        assert_eq!(
            refusal.owner,
            Some(AgentRef {
                id: winner.id(),
                name: winner.name()
            })
        );
    }
    let ticket: TicketView = agents[0].get_json(&format!("/api/tickets/{number}")).await;
    assert_eq!(ticket.status, TicketStatus::Accepted);
    assert_eq!(ticket.owner.map(|o| o.id), Some(winner.id()));
}

async fn every_console_sees_who_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let bob = app.agent("bob").await;
    let number = app
        .customer_opens_ticket(&customer(2002, "Ann"), "hi")
        .await;
    let mut bob_ws = bob.ws().await;

    let accepted = alice.accept(number).await;
    let accepted: TicketView = accepted.expect(200);
    assert_eq!(accepted.owner.map(|o| o.name).as_deref(), Some("Alice"));

    let ticket = bob_ws.expect_ticket_updated().await;
    assert_eq!(ticket.id, number);
    assert_eq!(ticket.status, TicketStatus::Accepted);
    assert_eq!(ticket.owner.map(|o| o.name).as_deref(), Some("Alice"));
    let again = bob.accept(number).await;
    assert_eq!(again.status, 409);
    assert_eq!(
        again.error().message,
        format!("ticket #{number} was already accepted by Alice")
    );
    assert_eq!(
        alice.accept(number).await.status,
        200,
        "accepting your own ticket again is harmless"
    );
}

async fn an_agent_sees_only_their_departments_tickets_and_a_supervisor_sees_all(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_department("Billing").await;
    app.add_agent("olga", Role::Agent, &["Billing"]).await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    let olga = app.login("olga").await;
    let sam = app.login("sam").await;
    let mut olga_ws = olga.ws().await;
    let number = app
        .customer_opens_ticket(&customer(2003, "Ann"), "General question")
        .await;

    assert_eq!(
        olga.get(&format!("/api/tickets/{number}")).await.status,
        404
    );
    assert_eq!(olga.accept(number).await.status, 404);
    assert_eq!(olga.get_json::<Vec<TicketView>>("/api/tickets").await, []);
    let frame = olga_ws
        .next_frame_within(std::time::Duration::from_millis(500))
        .await;
    assert!(
        frame.is_none(),
        "no events from other departments: {frame:?}"
    );
    assert_eq!(sam.get(&format!("/api/tickets/{number}")).await.status, 200);
    assert_eq!(
        sam.get_json::<Vec<TicketView>>("/api/tickets?status=pending")
            .await
            .len(),
        1
    );
}

async fn unknown_and_malformed_ticket_ids_are_clear_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let missing = alice.accept(TicketId(999_999)).await;
    assert_eq!(missing.refusal(), (404, "not_found".to_owned()));
    let malformed = alice.get("/api/tickets/abc").await;
    assert_eq!(malformed.refusal(), (400, "bad_request".to_owned()));
    let bad_status = alice.get("/api/tickets?status=lost").await;
    assert_eq!(bad_status.refusal(), (400, "bad_request".to_owned()));
}

crate::backend_tests!(
    of_twenty_concurrent_accepts_exactly_one_wins_and_the_rest_learn_the_owner,
    every_console_sees_who_accepted,
    an_agent_sees_only_their_departments_tickets_and_a_supervisor_sees_all,
    unknown_and_malformed_ticket_ids_are_clear_errors,
);
