//! After Accept: close with a reason (the customer is told), return to the queue, the timeline,
//! who may do which, and races the database decides.

use futures_util::future::join_all;
use serde_json::json;
use switchboard::domain::Role;

use crate::support::{Backend, Session, WAIT, customer, spawn_app};

async fn close(session: &Session, ticket: i64, reason: &str) -> crate::support::Reply {
    session
        .post(
            &format!("/api/tickets/{ticket}/close"),
            json!({"reason": reason, "comment": "sorted out by phone"}),
        )
        .await
}

async fn return_to_queue(session: &Session, ticket: i64) -> crate::support::Reply {
    session
        .post(&format!("/api/tickets/{ticket}/return"), json!({}))
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
    assert_eq!(alice.accept(number).await.status, 200);
    let mut bob_ws = bob.ws().await;

    let closed = close(&alice, number, "resolved").await;
    assert_eq!(closed.status, 200, "{closed:?}");
    assert_eq!(closed.body["status"], "closed");

    let event = bob_ws
        .expect_where("ticket.updated", |e| e["change"]["kind"] == "closed")
        .await;
    assert_eq!(event["ticket"]["id"], number);
    assert_eq!(event["change"]["reason"], "resolved");
    assert_eq!(event["change"]["by"]["name"], "Alice");
    let told = app
        .telegram
        .wait_for_message_to(ann.id, &format!("Your request #{number} is closed"), WAIT)
        .await;
    assert!(told.is_some(), "the customer is told the ticket is closed");

    let timeline = alice.get(&format!("/api/tickets/{number}/timeline")).await;
    assert_eq!(timeline.status, 200);
    let kinds: Vec<&str> = timeline
        .body
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["created", "accepted", "closed"]);
    let last = &timeline.body[2];
    assert_eq!(last["note"], "sorted out by phone");
    assert_eq!(last["from_agent"]["name"], "Alice");

    let again = close(&alice, number, "resolved").await;
    assert_eq!(again.status, 409, "{again:?}");
    assert_eq!(
        again.body["ticket"]["status"], "closed",
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
    assert_eq!(alice.accept(number).await.status, 200);
    let mut bob_ws = bob.ws().await;

    let returned = return_to_queue(&alice, number).await;
    assert_eq!(returned.status, 200, "{returned:?}");
    assert_eq!(returned.body["status"], "pending");
    assert!(returned.body["owner"].is_null());
    let event = bob_ws
        .expect_where("ticket.updated", |e| e["change"]["kind"] == "returned")
        .await;
    assert_eq!(event["ticket"]["status"], "pending");
    assert_eq!(event["change"]["from_agent"]["name"], "Alice");

    assert_eq!(
        return_to_queue(&alice, number).await.status,
        409,
        "pending already"
    );
    assert_eq!(
        bob.accept(number).await.status,
        200,
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
        assert_eq!(owner.accept(number).await.status, 200);
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
    assert_eq!(close(&colleague, pending, "spam").await.status, 403);
    assert_eq!(close(&supervisor, pending, "spam").await.status, 200);
}

async fn bad_close_requests_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let number = app
        .customer_opens_ticket(&customer(5201, "Ann"), "hi")
        .await;
    alice.accept(number).await;
    let path = format!("/api/tickets/{number}/close");
    let unknown = alice.post(&path, json!({"reason": "bored"})).await;
    assert_eq!(unknown.status, 422, "{unknown:?}");
    let long = alice
        .post(
            &path,
            json!({"reason": "resolved", "comment": "x".repeat(2001)}),
        )
        .await;
    assert_eq!(long.status, 422, "{long:?}");
    assert_eq!(close(&alice, number + 999, "resolved").await.status, 404);
    let ticket = alice.get(&format!("/api/tickets/{number}")).await;
    assert_eq!(ticket.body["status"], "accepted", "nothing changed");
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
    alice.accept(number).await;

    let replies = join_all(closers.iter().map(|s| close(s, number, "resolved"))).await;

    assert_eq!(
        replies.iter().filter(|r| r.status == 200).count(),
        1,
        "exactly one close wins: {replies:?}"
    );
    for lost in replies.iter().filter(|r| r.status != 200) {
        assert_eq!(lost.status, 409, "{lost:?}");
        assert_eq!(lost.body["ticket"]["status"], "closed");
    }
    let timeline = alice.get(&format!("/api/tickets/{number}/timeline")).await;
    let closes = timeline
        .body
        .as_array()
        .expect("a list")
        .iter()
        .filter(|c| c["kind"] == "closed")
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
