//! The outbox sender's passes at Telegram's pace: sends to different chats are in flight at once,
//! so a slow answer holds up only its own chat, and a 429 starts no further send of the pass.

use std::time::Duration;

use serde_json::Value;
use switchboard::{domain::TicketId, limits::Limits, simulator::Failure};
use tokio::time::Instant;

use crate::support::{Backend, Session, TestApp, WAIT, customer, spawn_app_with_limits};

/// Replies to the chats besides the first, queued while the first chat's send hangs, so that the
/// sender's next pass claims all of them at once.
const OTHERS: usize = 10;

/// An app at Telegram's own pace (1 s per chat, 30/s) with the fake enforcing those limits, an
/// agent, and `OTHERS + 1` accepted tickets of different customers.
async fn paced_app_with_tickets(backend: Backend) -> (TestApp, Session, Vec<(i64, TicketId)>) {
    let limits = Limits {
        address_burst: 1000,
        ..Limits::default()
    };
    let app = spawn_app_with_limits(backend, limits).await;
    app.telegram.enforce_rate_limits();
    let alice = app.agent("alice").await;
    let mut tickets = Vec::new();
    for n in 0..=OTHERS {
        let who = customer(3400 + n as i64, &format!("C{n}"));
        let number = app.customer_opens_ticket(&who, "hello").await;
        alice.accept(number).await;
        tickets.push((who.chat().0, number));
    }
    (app, alice, tickets)
}

/// Sends "first" to the first ticket's chat with a 2 s answer, queues "next" to every other one
/// while it hangs, and makes `failure` the answer to the next pass's first send.
async fn queue_behind_a_slow_send(
    app: &TestApp,
    alice: &Session,
    tickets: &[(i64, TicketId)],
    failure: Failure,
) {
    app.telegram
        .fail_next("sendMessage", Failure::Slow(Duration::from_secs(2)));
    alice
        .reply(tickets[0].1, "first")
        .await
        .expect::<Value>(201);
    let deadline = Instant::now() + WAIT;
    while !app
        .telegram
        .calls("sendMessage")
        .iter()
        .any(|c| c.body["text"] == "first")
    {
        assert!(Instant::now() < deadline, "the first reply was never sent");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    app.telegram.fail_next("sendMessage", failure);
    for (_, number) in &tickets[1..] {
        alice.reply(*number, "next").await.expect::<Value>(201);
    }
}

/// How many chats of `tickets` Telegram has taken "next" from by `deadline`.
async fn next_taken_by(app: &TestApp, tickets: &[(i64, TicketId)], deadline: Instant) -> usize {
    let mut taken = 0;
    for (chat, _) in tickets {
        let left = deadline.saturating_duration_since(Instant::now());
        let sent = app
            .telegram
            .wait_for_sent(left, |m| {
                m["chat"]["id"].as_i64() == Some(*chat) && m["text"] == "next"
            })
            .await;
        taken += usize::from(sent.is_some());
    }
    taken
}

async fn a_slow_answer_holds_up_only_its_own_chat(backend: Backend) {
    let (app, alice, tickets) = paced_app_with_tickets(backend).await;
    queue_behind_a_slow_send(
        &app,
        &alice,
        &tickets,
        Failure::Slow(Duration::from_secs(8)),
    )
    .await;
    let queued = Instant::now();

    // The pass after "first" sends to the ten chats at 30/s; one answer takes 8 s.
    let taken = next_taken_by(&app, &tickets[1..], queued + Duration::from_secs(5)).await;
    assert_eq!(
        taken,
        OTHERS - 1,
        "every chat but the slow one is sent to while its send hangs"
    );
    assert_eq!(
        next_taken_by(&app, &tickets[1..], Instant::now() + WAIT).await,
        OTHERS
    );
    assert_eq!(
        app.telegram.rate_limited(),
        0,
        "no send went over the limits"
    );
}

async fn a_429_starts_no_further_send_of_the_pass(backend: Backend) {
    let (app, alice, tickets) = paced_app_with_tickets(backend).await;
    queue_behind_a_slow_send(&app, &alice, &tickets, Failure::RetryAfter(4)).await;
    let next_calls = || {
        app.telegram
            .calls("sendMessage")
            .iter()
            .filter(|c| c.body["text"] == "next")
            .count()
    };
    let deadline = Instant::now() + WAIT;
    while next_calls() == 0 {
        assert!(Instant::now() < deadline, "the next pass never started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // Telegram asked for 4 s: only sends already in flight when the 429 came back go out.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let during = next_calls();
    assert!(
        during <= 3,
        "{during} sends of the pass went out after the 429 (the rest of the pass must wait)"
    );
    assert_eq!(
        next_taken_by(&app, &tickets[1..], Instant::now() + WAIT).await,
        OTHERS
    );
    assert_eq!(
        app.telegram.rate_limited(),
        0,
        "no send went over the limits"
    );
}

crate::backend_tests!(
    a_slow_answer_holds_up_only_its_own_chat,
    a_429_starts_no_further_send_of_the_pass,
);
