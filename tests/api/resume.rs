//! Gapless resume: a console that reconnects with `?after=<the last seq it applied>` gets every
//! event it missed that it may see, in order, once each, then live events; when the log cannot
//! replay the gap it is told to resync. The oracle is the event log itself (and, where one can
//! stay connected, a second console that never lost its connection).

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use futures_util::future::join_all;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;
use switchboard::{
    domain::{DepartmentId, EventSeq, Role, TicketId},
    hub::{Event, ServerFrame},
    retention::{self, Retention},
    store::{self, entity::event},
};
use tokio_util::sync::CancellationToken;

use crate::{
    instances::Instance,
    support::{Backend, Session, TestApp, WAIT, Ws, customer, spawn_app},
};

/// Event frames as a console received them: seq and the frame as JSON.
type Received = Vec<(EventSeq, Value)>;

/// Reads event frames into `into` until one with a seq at or past `through` came; panics on a
/// resync or when the stream ends or stalls past the standard wait.
async fn read_through(ws: &mut Ws, through: EventSeq, into: &mut Received) {
    if into.last().is_some_and(|(seq, _)| *seq >= through) {
        return;
    }
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match ws.next_frame_within(left).await {
            Some(ServerFrame::Event(event)) => {
                let seq = event.seq;
                into.push((
                    seq,
                    serde_json::to_value(&*event).expect("an event as JSON"),
                ));
                if seq >= through {
                    return;
                }
            }
            Some(ServerFrame::Resync) => panic!("a console that can resume was told to resync"),
            Some(_) => {}
            None => panic!(
                "the stream ended or stalled before seq {through} (last {:?})",
                into.last().map(|(seq, _)| *seq)
            ),
        }
    }
}

/// The events of the log after `after` and up to `through`, as the frames a console of General
/// gets (every event of these tests is about General).
async fn logged(db: &DatabaseConnection, after: EventSeq, through: EventSeq) -> Received {
    event::Entity::find()
        .filter(event::Column::Id.gt(after))
        .filter(event::Column::Id.lte(through))
        .order_by_asc(event::Column::Id)
        .all(db)
        .await
        .expect("reading the event log")
        .into_iter()
        .map(|row| {
            let mut frame: Value = serde_json::from_str(&row.payload).expect("a JSON payload");
            frame["seq"] = Value::from(row.id.0);
            (row.id, frame)
        })
        .collect()
}

/// The frames of `received` up to `through`.
fn through(received: &Received, through: EventSeq) -> Received {
    received
        .iter()
        .filter(|(seq, _)| *seq <= through)
        .cloned()
        .collect()
}

/// The seqs of `received`, for messages.
fn seqs(received: &Received) -> Vec<i64> {
    received.iter().map(|(seq, _)| seq.0).collect()
}

/// Asserts that `received` is exactly the log's events after `after` up to `last`, in order.
async fn assert_is_the_log(
    db: &DatabaseConnection,
    received: &Received,
    after: EventSeq,
    last: EventSeq,
) {
    let expected = logged(db, after, last).await;
    let got = through(received, last);
    assert_eq!(
        seqs(&got),
        seqs(&expected),
        "the console got exactly the logged events, in order, once each"
    );
    assert_eq!(got, expected, "each frame is the logged event");
}

/// The log's newest seq.
async fn newest(db: &DatabaseConnection) -> EventSeq {
    store::events::newest(db).await.expect("the newest seq")
}

/// Tickets move while a console is away: a new ticket, an accept, an agent's reply (delivered),
/// and a customer's answer; `app` runs the bot, `bob` (an agent of General) acts on `at`.
async fn tickets_move(app: &TestApp, bob: &Session, first: TicketId) {
    app.customer_opens_ticket(&customer(9102, "Ben"), "second ticket")
        .await;
    bob.accept(first).await.expect::<Value>(200);
    bob.reply(first, "on it").await.expect::<Value>(201);
    app.telegram
        .wait_for_message_to(customer(9101, "Ann").chat(), "on it", WAIT)
        .await
        .expect("the reply reached the customer");
    app.customer_opens_ticket(&customer(9103, "Cy"), "third ticket")
        .await;
}

/// The start of every cut-off scenario: alice's console sees Ann's ticket open; returns the
/// console, the seq it started at, what it received and the ticket.
async fn console_sees_a_ticket_open(
    app: &TestApp,
    alice: &Session,
) -> (Ws, EventSeq, Received, TicketId) {
    let mut console = alice.ws().await;
    let start = console.seq;
    let first = app
        .customer_opens_ticket(&customer(9101, "Ann"), "first ticket")
        .await;
    let mut received = Vec::new();
    let seen = newest(&app.db().await).await;
    read_through(&mut console, seen, &mut received).await;
    (console, start, received, first)
}

async fn a_console_cut_off_while_tickets_move_resumes_with_exactly_the_events_it_missed(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let bob = app.agent("bob").await;
    let (console, start, mut received, first) = console_sees_a_ticket_open(&app, &alice).await;
    let mut witness = alice.ws().await;
    let mut witnessed = Vec::new();
    let last_seen = received.last().expect("the console saw events").0;
    drop(console);

    tickets_move(&app, &bob, first).await;
    let db = app.db().await;
    let target = newest(&db).await;
    let mut resumed = alice.ws_after(last_seen).await;
    read_through(&mut resumed, target, &mut received).await;
    read_through(&mut witness, target, &mut witnessed).await;

    assert_is_the_log(&db, &received, start, target).await;
    let after_cut: Received = received
        .iter()
        .filter(|(seq, _)| *seq > witness.seq)
        .cloned()
        .collect();
    assert_eq!(
        through(&after_cut, target),
        through(&witnessed, target),
        "the resumed console got what a console that never lost its connection got"
    );
}

async fn a_console_resumes_after_a_server_restart_with_exactly_the_events_it_missed(
    backend: Backend,
) {
    let mut app = spawn_app(backend.clone()).await;
    let alice = app.agent("alice").await;
    let bob = app.agent("bob").await;
    let (mut console, start, mut received, first) = console_sees_a_ticket_open(&app, &alice).await;
    let last_seen = received.last().expect("the console saw events").0;

    app.stop().await;
    // Frames already on their way may come first; then the stopped server closes the console.
    let closed = tokio::time::timeout(WAIT, async {
        while console.next_frame_within(WAIT).await.is_some() {}
    })
    .await;
    assert!(closed.is_ok(), "the stopped server closed the console");
    let restarted = TestApp::start(backend, app.database_url.clone(), app.telegram.clone()).await;
    let (alice, bob) = (alice.on(&restarted.address), bob.on(&restarted.address));
    tickets_move(&restarted, &bob, first).await;
    let db = restarted.db().await;
    let target = newest(&db).await;
    let mut resumed = alice.ws_after(last_seen).await;
    read_through(&mut resumed, target, &mut received).await;

    assert_is_the_log(&db, &received, start, target).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_console_resumes_on_another_instance_with_exactly_the_events_it_missed() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let bob = app.agent("bob").await;
    let (console, start, mut received, first) = console_sees_a_ticket_open(&app, &alice).await;
    let last_seen = received.last().expect("the console saw events").0;
    let second = Instance::start(&app.database_url).await;
    drop(console);

    tickets_move(&app, &bob, first).await;
    let db = app.db().await;
    let target = newest(&db).await;
    let mut resumed = alice.on(&second.address).ws_after(last_seen).await;
    read_through(&mut resumed, target, &mut received).await;

    assert_is_the_log(&db, &received, start, target).await;
}

/// How many replies and notes the concurrency test commits at once.
const REPLIES: usize = 150;
const NOTES: usize = 50;

async fn events_committed_concurrently_reach_a_console_that_keeps_resuming_each_once_in_order(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let mut agents = Vec::new();
    for n in 0..6 {
        let agent = app.agent(&format!("agent{n}")).await;
        let ticket = app
            .customer_opens_ticket(&customer(9200 + n, &format!("C{n}")), "hi")
            .await;
        agent.accept(ticket).await.expect::<Value>(200);
        let client = agent
            .get_json::<Value>(&format!("/api/tickets/{ticket}"))
            .await["client"]["id"]
            .as_i64()
            .expect("a client id");
        agents.push((agent, ticket, client));
    }
    let db = app.db().await;
    let start = newest(&db).await;

    // The console keeps reading a little, dropping its connection and resuming, until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let console = {
        let alice = alice.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut received = Vec::new();
            let mut last = start;
            let mut connections = 0;
            while !stop.load(Ordering::Relaxed) {
                let mut ws = alice.ws_after(last).await;
                connections += 1;
                // Read for a short while, then cut the connection.
                let until = tokio::time::Instant::now()
                    + Duration::from_millis(30 + 20 * (connections % 4));
                loop {
                    let left = until.saturating_duration_since(tokio::time::Instant::now());
                    match ws.next_frame_within(left).await {
                        Some(ServerFrame::Event(event)) => {
                            last = event.seq;
                            received
                                .push((event.seq, serde_json::to_value(&*event).expect("JSON")));
                        }
                        Some(ServerFrame::Resync) => panic!("told to resync"),
                        Some(_) => {}
                        None => break,
                    }
                }
            }
            (received, last, connections)
        })
    };

    // A late transaction: it takes its seq first and commits after the others began, as a slow
    // request would. With seqs in commit order the others wait for it; without, they commit
    // past it and a reader that moved on never sees it.
    let general = DepartmentId(
        agents[0]
            .0
            .get_json::<Value>(&format!("/api/tickets/{}", agents[0].1))
            .await["department"]["id"]
            .as_i64()
            .expect("a department"),
    );
    let removed = Event::TicketRemoved {
        ticket_id: TicketId(1_000_000),
        department_id: DepartmentId(1_000_000),
    };
    // A console that never loses its connection: it hears every event live, in order.
    let mut witness = alice.ws().await;
    let mut witnessed = Vec::new();
    let late = store::begin_write(&db).await.expect("a transaction");
    let late_rows = store::events::append(
        &late,
        "test",
        vec![store::events::NewEvent {
            department_id: general,
            ticket_id: None,
            hidden_from: removed.hidden_from(),
            kind: removed.kind(),
            payload: serde_json::to_string(&removed).expect("JSON"),
        }],
    )
    .await
    .expect("the late event");
    let late_seq = late_rows[0].id;

    let work = {
        let agents = agents.clone();
        tokio::spawn(async move {
            let replies = (0..REPLIES).map(|n| {
                let (agent, ticket, _) = agents[n % agents.len()].clone();
                async move {
                    agent
                        .reply(ticket, &format!("reply {n}"))
                        .await
                        .expect::<Value>(201)
                }
            });
            let notes = (0..NOTES).map(|n| {
                let (agent, _, client) = agents[n % agents.len()].clone();
                async move {
                    agent
                        .post(
                            &format!("/api/clients/{client}/notes"),
                            serde_json::json!({"text": format!("note {n}")}),
                        )
                        .await
                        .expect::<Value>(201)
                }
            });
            tokio::join!(join_all(replies), join_all(notes));
        })
    };
    // Hold the late transaction until a console heard of an event past its seq (possible only
    // when seqs are not in commit order) or for half a second, then commit it.
    let _ = tokio::time::timeout(Duration::from_millis(500), async {
        loop {
            if let Some(ServerFrame::Event(event)) = witness.next_frame_within(WAIT).await {
                let seq = event.seq;
                witnessed.push((seq, serde_json::to_value(&*event).expect("JSON")));
                if seq > late_seq {
                    return;
                }
            }
        }
    })
    .await;
    late.commit().await.expect("committing the late event");
    work.await.expect("the concurrent requests");

    let target = newest(&db).await;
    stop.store(true, Ordering::Relaxed);
    let (mut received, last, connections) = console.await.expect("the console task");
    let mut ws = alice.ws_after(last).await;
    read_through(&mut ws, target, &mut received).await;

    assert!(
        connections > 1,
        "the console reconnected ({connections} connections)"
    );
    let got = seqs(&received);
    assert!(
        got.windows(2).all(|pair| pair[0] < pair[1]),
        "seqs strictly increase across reconnects: {got:?}"
    );
    assert!(
        got.contains(&late_seq.0),
        "the late event reached the console"
    );
    assert_is_the_log(&db, &received, start, target).await;
    read_through(&mut witness, target, &mut witnessed).await;
    assert_is_the_log(&db, &witnessed, witness.seq, target).await;
}

async fn a_console_resuming_from_a_pruned_seq_or_one_the_log_never_reached_is_told_to_resync(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let console = alice.ws().await;
    app.customer_opens_ticket(&customer(9301, "Ann"), "hello")
        .await;
    let db = app.db().await;
    let before_pruning = newest(&db).await;
    assert!(before_pruning > console.seq, "the ticket wrote events");

    // Everything older than now is pruned.
    let everything = Retention {
        events: Duration::ZERO,
        updates: Duration::from_secs(24 * 60 * 60),
        dead_letters: Duration::from_secs(24 * 60 * 60),
    };
    let pruned = retention::prune(&db, everything, &CancellationToken::new())
        .await
        .expect("pruning");
    assert!(pruned.events > 0, "the pruner deleted events");
    let mut stale = alice.ws_after(console.seq).await;
    assert_eq!(
        stale.seq,
        newest(&db).await,
        "the hello names the log's newest seq"
    );
    assert!(
        matches!(
            stale.next_frame_within(WAIT).await,
            Some(ServerFrame::Resync)
        ),
        "a console behind the pruned events is told to resync"
    );
    // Live events follow the resync.
    app.customer_opens_ticket(&customer(9302, "Ben"), "after pruning")
        .await;
    let (seq, _) = stale.expect_ticket_created().await;
    assert!(seq > before_pruning);

    let mut future = alice.ws_after(EventSeq(newest(&db).await.0 + 1_000)).await;
    assert!(
        matches!(
            future.next_frame_within(WAIT).await,
            Some(ServerFrame::Resync)
        ),
        "a console from a seq this log never reached is told to resync"
    );
    let mut current = alice.ws_after(newest(&db).await).await;
    app.customer_opens_ticket(&customer(9303, "Cy"), "still live")
        .await;
    assert!(
        matches!(
            current.next_frame_within(WAIT).await,
            Some(ServerFrame::Event(_))
        ),
        "a console that is up to date gets live events, no resync"
    );
}

async fn a_bad_after_is_refused_before_the_upgrade(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    for bad in ["abc", "-1", "1.5"] {
        let refused = Ws::connect_to(
            &app.address,
            &format!("/ws?after={bad}"),
            &app.origin,
            Some(&alice.cookie),
        )
        .await;
        match refused {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 422, "after={bad}");
                let body: Value =
                    serde_json::from_slice(response.body().as_deref().unwrap_or_default())
                        .expect("a JSON error");
                assert_eq!(body["error"], "invalid", "after={bad}");
            }
            Err(other) => panic!("after={bad}: {other}"),
            Ok(_) => panic!("after={bad} was accepted"),
        }
    }
    // The role does not matter: a supervisor resumes the same way.
    app.add_agent("sue", Role::Supervisor, &[]).await;
    let sue = app.login("sue").await;
    let ws = sue.ws_after(EventSeq(0)).await;
    assert_eq!(ws.seq, newest(&app.db().await).await);
}

crate::backend_tests!(
    a_console_cut_off_while_tickets_move_resumes_with_exactly_the_events_it_missed,
    a_console_resumes_after_a_server_restart_with_exactly_the_events_it_missed,
    events_committed_concurrently_reach_a_console_that_keeps_resuming_each_once_in_order,
    a_console_resuming_from_a_pruned_seq_or_one_the_log_never_reached_is_told_to_resync,
    a_bad_after_is_refused_before_the_upgrade,
);
