//! After Accept: close with a reason (the customer is told), return to the queue, the timeline,
//! who may do which, and races the database decides.

use futures_util::future::join_all;
use serde_json::json;
use switchboard::{
    domain::{ChangeKind, CloseReason, Role, TicketId, TicketStatus},
    views::{ChangeView, TicketView},
};

use crate::support::{Backend, Reply, Session, WAIT, customer, spawn_app};

async fn close(session: &Session, ticket: TicketId, reason: &str) -> Reply {
    session
        .post(
            &format!("/api/tickets/{ticket}/close"),
            json!({"reason": reason, "comment": "sorted out by phone"}),
        )
        .await
}

async fn return_to_queue(session: &Session, ticket: TicketId) -> Reply {
    session
        .post(&format!("/api/tickets/{ticket}/return"), json!({}))
        .await
}

async fn timeline(session: &Session, ticket: TicketId) -> Vec<ChangeView> {
    session
        .get_json(&format!("/api/tickets/{ticket}/timeline"))
        .await
}

async fn the_owner_closes_with_a_reason_the_customer_is_told_and_the_timeline_keeps_it(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let bob = app.agent("bob").await;
    let ann = customer(5001, "Ann");
    let number = app.customer_opens_ticket(&ann, "my order is late").await;
    alice.accept(number).await.expect::<TicketView>(200);
    let mut bob_ws = bob.ws().await;

    let closed: TicketView = close(&alice, number, "resolved").await.expect(200);
    assert_eq!(closed.status, TicketStatus::Closed);

    let (ticket, change) = bob_ws.expect_change(ChangeKind::Closed).await;
    assert_eq!(ticket.id, number);
    assert_eq!(change.reason, Some(CloseReason::Resolved));
    assert_eq!(change.by.map(|a| a.name).as_deref(), Some("Alice"));
    let told = app
        .telegram
        .wait_for_message_to(
            ann.chat(),
            &format!("Your request #{number} is closed"),
            WAIT,
        )
        .await;
    assert!(told.is_some(), "the customer is told the ticket is closed");

    let entries = timeline(&alice, number).await;
    let kinds: Vec<ChangeKind> = entries.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [
            ChangeKind::Created,
            ChangeKind::Accepted,
            ChangeKind::Closed
        ]
    );
    let last = &entries[2];
    assert_eq!(last.note.as_deref(), Some("sorted out by phone"));
    assert_eq!(last.from.agent.as_ref().map(|a| a.id), Some(alice.id()));

    let again = close(&alice, number, "resolved").await;
    assert_eq!(again.refusal(), (409, "conflict".to_owned()));
    assert_eq!(
        again.error().ticket.map(|t| t.status),
        Some(TicketStatus::Closed),
        "a refusal shows the ticket as it is"
    );
    assert_eq!(alice.reply(number, "still there?").await.status, 409);
}

async fn the_owner_returns_a_ticket_to_the_queue_and_another_agent_takes_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let bob = app.agent("bob").await;
    let number = app
        .customer_opens_ticket(&customer(5002, "Ann"), "hello")
        .await;
    alice.accept(number).await.expect::<TicketView>(200);
    let mut bob_ws = bob.ws().await;

    let returned: TicketView = return_to_queue(&alice, number).await.expect(200);
    assert_eq!(returned.status, TicketStatus::Pending);
    assert_eq!(returned.owner, None);
    let (ticket, change) = bob_ws.expect_change(ChangeKind::Returned).await;
    assert_eq!(ticket.status, TicketStatus::Pending);
    assert_eq!(change.from.agent.map(|a| a.id), Some(alice.id()));

    assert_eq!(
        return_to_queue(&alice, number).await.refusal(),
        (409, "conflict".to_owned()),
        "it waits in the queue already"
    );
    let taken: TicketView = bob.accept(number).await.expect(200);
    assert_eq!(
        taken.owner.map(|o| o.id),
        Some(bob.id()),
        "the queue offers it again"
    );
}

async fn who_may_close_and_return(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_department("Billing").await;
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
    let mut customers = 5100;
    let mut fresh_accepted = async || {
        customers += 1;
        let number = app
            .customer_opens_ticket(&customer(customers, "Ann"), "hi")
            .await;
        owner.accept(number).await.expect::<TicketView>(200);
        number
    };
    // (who, close status, return status)
    let matrix: [(&Session, u16, u16); 5] = [
        (&owner, 200, 200),
        (&colleague, 403, 403),
        (&outsider, 404, 404),
        (&supervisor, 200, 200),
        (&admin, 200, 200),
    ];
    for (who, close_status, return_status) in matrix {
        let number = fresh_accepted().await;
        let reply = return_to_queue(who, number).await;
        assert_eq!(
            reply.status,
            return_status,
            "return by {}: {reply:?}",
            who.name()
        );
        let number = fresh_accepted().await;
        let reply = close(who, number, "spam").await;
        assert_eq!(
            reply.status,
            close_status,
            "close by {}: {reply:?}",
            who.name()
        );
    }
    // A pending ticket: a supervisor may close it, an agent may not.
    customers += 1;
    let pending = app
        .customer_opens_ticket(&customer(customers, "Ann"), "hi")
        .await;
    assert_eq!(
        close(&colleague, pending, "spam").await.refusal(),
        (403, "forbidden".to_owned())
    );
    close(&supervisor, pending, "spam")
        .await
        .expect::<TicketView>(200);
}

async fn bad_close_requests_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let number = app
        .customer_opens_ticket(&customer(5201, "Ann"), "hi")
        .await;
    alice.accept(number).await.expect::<TicketView>(200);
    let path = format!("/api/tickets/{number}/close");
    let unknown = alice.post(&path, json!({"reason": "bored"})).await;
    assert_eq!(unknown.refusal(), (422, "invalid".to_owned()));
    let long = alice
        .post(
            &path,
            json!({"reason": "resolved", "comment": "x".repeat(2001)}),
        )
        .await;
    assert_eq!(long.refusal(), (422, "invalid".to_owned()));
    let unknown_ticket = TicketId(number.0 + 999);
    assert_eq!(close(&alice, unknown_ticket, "resolved").await.status, 404);
    let ticket: TicketView = alice.get_json(&format!("/api/tickets/{number}")).await;
    assert_eq!(ticket.status, TicketStatus::Accepted, "nothing changed");
    assert_eq!(
        timeline(&alice, number).await.len(),
        2,
        "no change recorded"
    );
}

async fn of_concurrent_closes_exactly_one_wins_and_the_others_see_the_closed_ticket(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let mut closers = vec![alice.clone()];
    for i in 0..5 {
        let login = format!("sup{i}");
        app.add_agent(&login, Role::Supervisor, &[]).await;
        closers.push(app.login(&login).await);
    }
    let number = app
        .customer_opens_ticket(&customer(5301, "Ann"), "hi")
        .await;
    alice.accept(number).await.expect::<TicketView>(200);

    let replies = join_all(closers.iter().map(|s| close(s, number, "resolved"))).await;

    assert_eq!(
        replies.iter().filter(|r| r.status == 200).count(),
        1,
        "exactly one close wins: {replies:?}"
    );
    for lost in replies.iter().filter(|r| r.status != 200) {
        assert_eq!(lost.refusal(), (409, "conflict".to_owned()));
        assert_eq!(
            lost.error().ticket.map(|t| t.status),
            Some(TicketStatus::Closed)
        );
    }
    let closes = timeline(&alice, number)
        .await
        .iter()
        .filter(|c| c.kind == ChangeKind::Closed)
        .count();
    assert_eq!(closes, 1, "one close, one timeline entry");
}

crate::backend_tests!(
    the_owner_closes_with_a_reason_the_customer_is_told_and_the_timeline_keeps_it,
    the_owner_returns_a_ticket_to_the_queue_and_another_agent_takes_it,
    who_may_close_and_return,
    bad_close_requests_change_nothing,
    of_concurrent_closes_exactly_one_wins_and_the_others_see_the_closed_ticket
);
