//! Presence: an agent is online while any console of theirs is connected to any instance, away
//! when they say so, offline otherwise; consoles hear `presence.updated` when it changes, and the
//! board reads `GET /api/agents`.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use switchboard::{
    domain::{AgentId, DepartmentId, Presence, Role},
    hub::ServerFrame,
    views::{AgentPresenceView, PresenceView},
};

use crate::{
    instances::Instance,
    support::{Backend, Reply, Session, TestApp, Ws, spawn_app},
};

/// Short presence timing for second instances (the test app's own is as short).
const FAST_PRESENCE: [(&str, &str); 2] = [
    ("SWITCHBOARD_PRESENCE_HEARTBEAT", "1"),
    ("SWITCHBOARD_PRESENCE_TTL", "6"),
];

/// How long a test watches for a frame that must not come: longer than a heartbeat.
const QUIET: Duration = Duration::from_millis(2500);

async fn supervisor(app: &TestApp, login: &str) -> Session {
    app.add_agent(login, Role::Supervisor, &[]).await;
    app.login(login).await
}

async fn set_presence(session: &Session, body: serde_json::Value) -> Reply {
    session
        .request(Method::PUT, "/api/presence", Some(body))
        .await
}

/// The presence `session` reads for `agent` on the board.
async fn board_presence(session: &Session, agent: AgentId) -> Presence {
    session
        .get_json::<Vec<AgentPresenceView>>("/api/agents")
        .await
        .into_iter()
        .find(|a| a.agent.id == agent)
        .unwrap_or_else(|| panic!("agent {agent} is on the board"))
        .presence
}

/// The next `presence.updated` about `agent`: their presence and departments.
async fn expect_presence(ws: &mut Ws, agent: AgentId) -> (Presence, Vec<DepartmentId>) {
    ws.expect(
        &format!("presence.updated about agent {agent}"),
        |frame| match frame {
            ServerFrame::PresenceUpdated {
                agent: about,
                presence,
                departments,
            } if about.id == agent => Some((presence, departments)),
            _ => None,
        },
    )
    .await
}

/// Waits until `count` instances hold a console of `agent` in the database.
async fn wait_for_presence_rows(app: &TestApp, agent: AgentId, count: usize) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use switchboard::store::entity::agent_presence;
    let db = app.db().await;
    let deadline = tokio::time::Instant::now() + crate::support::WAIT;
    loop {
        let rows = agent_presence::Entity::find()
            .filter(agent_presence::Column::AgentId.eq(agent))
            .all(&db)
            .await
            .expect("reading presence rows");
        if rows.len() == count {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{count} presence rows of agent {agent}: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Fails if a `presence.updated` comes within `QUIET`.
async fn expect_no_presence_frame(ws: &mut Ws, why: &str) {
    let deadline = tokio::time::Instant::now() + QUIET;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match ws.next_frame_within(left).await {
            None => return,
            Some(frame @ ServerFrame::PresenceUpdated { .. }) => panic!("{why}: {frame:?}"),
            Some(_) => {}
        }
    }
}

async fn an_agent_is_offline_until_a_console_connects_and_their_departments_hear_it(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.add_department("Billing").await;
    let alice = app.agent("alice").await;
    let carol = app.agent("carol").await;
    let bob = {
        app.add_agent("bob", Role::Agent, &["Billing"]).await;
        app.login("bob").await
    };
    let sam = supervisor(&app, "sam").await;
    assert_eq!(board_presence(&sam, alice.id()).await, Presence::Offline);
    let mut sam_ws = sam.ws().await;
    let mut carol_ws = carol.ws().await;
    let mut bob_ws = bob.ws().await;

    let _alice_ws = alice.ws().await;

    let general = alice.agent.departments[0].id;
    assert_eq!(
        expect_presence(&mut sam_ws, alice.id()).await,
        (Presence::Online, vec![general])
    );
    assert_eq!(
        expect_presence(&mut carol_ws, alice.id()).await.0,
        Presence::Online
    );
    assert_eq!(board_presence(&bob, alice.id()).await, Presence::Online);
    expect_no_presence_frame(&mut bob_ws, "Billing does not hear of General's agents").await;
}

async fn a_second_tab_changes_nothing_and_closing_the_last_tab_goes_offline(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let sam = supervisor(&app, "sam").await;
    let mut sam_ws = sam.ws().await;
    let first_tab = alice.ws().await;
    assert_eq!(
        expect_presence(&mut sam_ws, alice.id()).await.0,
        Presence::Online
    );

    let second_tab = alice.ws().await;
    expect_no_presence_frame(&mut sam_ws, "a second tab is not news").await;
    drop(first_tab);
    expect_no_presence_frame(&mut sam_ws, "closing one of two tabs is not news").await;
    assert_eq!(board_presence(&sam, alice.id()).await, Presence::Online);

    drop(second_tab);
    assert_eq!(
        expect_presence(&mut sam_ws, alice.id()).await.0,
        Presence::Offline
    );
    assert_eq!(board_presence(&sam, alice.id()).await, Presence::Offline);
}

async fn away_is_announced_and_kept_across_reconnects_but_offline_without_a_console(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let sam = supervisor(&app, "sam").await;
    let mut sam_ws = sam.ws().await;
    let alice_ws = alice.ws().await;
    assert_eq!(
        expect_presence(&mut sam_ws, alice.id()).await.0,
        Presence::Online
    );

    let reply = set_presence(&alice, json!({"presence": "away"})).await;
    assert_eq!(reply.expect::<PresenceView>(200).presence, Presence::Away);
    assert_eq!(
        expect_presence(&mut sam_ws, alice.id()).await.0,
        Presence::Away
    );
    assert_eq!(board_presence(&sam, alice.id()).await, Presence::Away);
    let again = set_presence(&alice, json!({"presence": "away"})).await;
    assert_eq!(again.expect::<PresenceView>(200).presence, Presence::Away);
    expect_no_presence_frame(&mut sam_ws, "saying away twice is not news").await;

    drop(alice_ws);
    assert_eq!(
        expect_presence(&mut sam_ws, alice.id()).await.0,
        Presence::Offline
    );
    let _alice_ws = alice.ws().await;
    assert_eq!(
        expect_presence(&mut sam_ws, alice.id()).await.0,
        Presence::Away,
        "the away flag survives a reconnect"
    );

    let reply = set_presence(&alice, json!({"presence": "online"})).await;
    assert_eq!(reply.expect::<PresenceView>(200).presence, Presence::Online);
    assert_eq!(
        expect_presence(&mut sam_ws, alice.id()).await.0,
        Presence::Online
    );
}

async fn a_presence_other_than_online_or_away_is_422_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let sam = supervisor(&app, "sam").await;
    let mut sam_ws = sam.ws().await;
    let _alice_ws = alice.ws().await;
    expect_presence(&mut sam_ws, alice.id()).await;

    for body in [
        json!({"presence": "offline"}),
        json!({"presence": "busy"}),
        json!({"presence": "Away"}),
        json!({"presence": 1}),
        json!({}),
    ] {
        let reply = set_presence(&alice, body.clone()).await;
        assert_eq!(reply.refusal(), (422, "invalid".to_owned()), "{body}");
    }
    expect_no_presence_frame(&mut sam_ws, "a refused change is not announced").await;
    assert_eq!(board_presence(&sam, alice.id()).await, Presence::Online);
}

async fn the_board_lists_every_agent_with_role_departments_and_presence(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_department("Billing").await;
    let alice = app.agent("alice").await;
    app.add_agent("bob", Role::Agent, &["General", "Billing"])
        .await;
    let sam = supervisor(&app, "sam").await;
    let mut sam_ws = sam.ws().await;
    let _alice_ws = alice.ws().await;
    expect_presence(&mut sam_ws, alice.id()).await;

    let board = alice.get("/api/agents").await;
    assert_eq!(board.status, 200);
    let rows = board.body.as_array().expect("a list");
    assert_eq!(rows.len(), 3);
    let bob = rows.iter().find(|r| r["login"] == "bob").expect("bob");
    let mut keys: Vec<&str> = bob
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["departments", "id", "login", "name", "presence", "role"]
    );
    assert_eq!(bob["name"], "Bob");
    assert_eq!(bob["role"], "agent");
    assert_eq!(bob["presence"], "offline");
    let names: Vec<&str> = bob["departments"]
        .as_array()
        .expect("departments")
        .iter()
        .map(|d| {
            assert!(d["id"].is_i64(), "{d}");
            d["name"].as_str().expect("a name")
        })
        .collect();
    assert_eq!(names, ["Billing", "General"]);
    let sam_row = rows.iter().find(|r| r["login"] == "sam").expect("sam");
    assert_eq!(sam_row["role"], "supervisor");
    assert_eq!(sam_row["departments"], json!([]));
    let alice_row = rows.iter().find(|r| r["login"] == "alice").expect("alice");
    assert_eq!(alice_row["presence"], "online");

    let anonymous = reqwest::get(format!("{}/api/agents", app.address))
        .await
        .expect("request");
    assert_eq!(anonymous.status(), 401);
}

crate::backend_tests!(
    an_agent_is_offline_until_a_console_connects_and_their_departments_hear_it,
    a_second_tab_changes_nothing_and_closing_the_last_tab_goes_offline,
    away_is_announced_and_kept_across_reconnects_but_offline_without_a_console,
    a_presence_other_than_online_or_away_is_422_and_changes_nothing,
    the_board_lists_every_agent_with_role_departments_and_presence,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_console_on_another_instance_makes_the_agent_online_here() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = spawn_app(backend).await;
    // Heartbeats every second, but the TTL outlasts the first instance's 10 s heartbeat: with a
    // 6 s TTL the second instance swept the first one's rows between its heartbeats, and a test
    // slowed by a loaded machine missed the moment both rows stood.
    let second = Instance::start_with_env(
        &app.database_url,
        &[
            ("SWITCHBOARD_PRESENCE_HEARTBEAT", "1"),
            ("SWITCHBOARD_PRESENCE_TTL", "30"),
        ],
    )
    .await;
    let alice = app.agent("alice").await;
    let sam = supervisor(&app, "sam").await;
    let mut sam_ws = sam.ws().await;

    let alice_there = alice.on(&second.address).ws().await;

    assert_eq!(
        expect_presence(&mut sam_ws, alice.id()).await.0,
        Presence::Online
    );
    assert_eq!(board_presence(&sam, alice.id()).await, Presence::Online);
    let _alice_here = alice.ws().await;
    // A console's presence is written behind the socket's back; nothing is announced when an
    // online agent opens another console, so wait for the row itself.
    wait_for_presence_rows(&app, alice.id(), 2).await;
    drop(alice_there);
    expect_no_presence_frame(&mut sam_ws, "a console on another instance still counts").await;
    assert_eq!(board_presence(&sam, alice.id()).await, Presence::Online);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_an_instance_that_dies_leaves_its_agents_offline_after_the_ttl() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = spawn_app(backend).await;
    let mut second = Instance::start_with_env(&app.database_url, &FAST_PRESENCE).await;
    let alice = app.agent("alice").await;
    let sam = supervisor(&app, "sam").await;
    let mut sam_ws = sam.ws().await;
    let _alice_there = alice.on(&second.address).ws().await;
    assert_eq!(
        expect_presence(&mut sam_ws, alice.id()).await.0,
        Presence::Online
    );

    second.kill().await;

    // The dead instance's row outlives it until the TTL (6 s) passes; then a sweep (every 1 s)
    // removes it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let presence = loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match sam_ws.next_frame_within(left).await {
            Some(ServerFrame::PresenceUpdated {
                agent, presence, ..
            }) if agent.id == alice.id() => break presence,
            Some(_) => {}
            None => panic!("alice never went offline after her instance died"),
        }
    };
    assert_eq!(presence, Presence::Offline);
    assert_eq!(board_presence(&sam, alice.id()).await, Presence::Offline);
}
