//! Departments over the API: any agent lists them (by position, with agents and presence); only
//! admins create and change them; bad values are 422, a taken slug or name 409, unknown 404.

use serde_json::json;
use switchboard::{
    domain::{Presence, Role},
    hub::ServerFrame,
    views::DepartmentView,
};

use crate::support::{Backend, Session, spawn_app};

async fn patch(agent: &Session, path: &str, body: serde_json::Value) -> crate::support::Reply {
    agent
        .request(reqwest::Method::PATCH, path, Some(body))
        .await
}

async fn any_agent_lists_departments_in_order_with_their_agents(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_open_department("Billing", "billing").await;
    app.add_department("Archive").await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    app.add_agent("bob", Role::Agent, &["Billing", "General"])
        .await;
    app.add_agent("carol", Role::Agent, &["General"]).await;
    let alice = app.login("alice").await;
    let bob = app.login("bob").await;
    // Presence is written by a background task: wait until bob's console (open first, so he is
    // online by then too) hears alice come online; carol never connects.
    let mut bob_ws = bob.ws().await;
    let _online = alice.ws().await;
    bob_ws
        .expect("presence.updated: alice online", |frame| match frame {
            ServerFrame::PresenceUpdated {
                agent, presence, ..
            } if agent.id == alice.id() && presence == Presence::Online => Some(()),
            _ => None,
        })
        .await;

    let departments: Vec<DepartmentView> = bob.get_json("/api/departments").await;
    let names: Vec<&str> = departments.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["General", "Billing", "Archive"]);
    let positions: Vec<i32> = departments.iter().map(|d| d.position).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    let general = &departments[0];
    assert_eq!(
        (general.slug.as_str(), general.label.as_str(), general.open),
        ("general", "General", true)
    );
    assert!(!departments[2].open);
    let people: Vec<(&str, Presence)> = general
        .agents
        .iter()
        .map(|a| (a.name.as_str(), a.presence))
        .collect();
    assert_eq!(
        people,
        [
            ("Alice", Presence::Online),
            ("Bob", Presence::Online),
            ("Carol", Presence::Offline)
        ]
    );
    assert_eq!(departments[1].agents.len(), 1);
    assert!(departments[2].agents.is_empty());

    let anonymous = reqwest::get(format!("{}/api/departments", app.address))
        .await
        .expect("a response");
    assert_eq!(anonymous.status(), 401);
}

async fn only_an_admin_creates_and_changes_departments(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    app.add_agent("ada", Role::Admin, &[]).await;
    let new = json!({"name": "Billing", "label": "Billing & payments", "slug": "billing"});
    for login in ["alice", "sam"] {
        let session = app.login(login).await;
        let reply = session.post("/api/departments", new.clone()).await;
        assert_eq!(reply.status, 403, "{login}: {:?}", reply.body);
        let reply = patch(&session, "/api/departments/1", json!({"open": false})).await;
        assert_eq!(reply.status, 403, "{login}: {:?}", reply.body);
    }
    let ada = app.login("ada").await;
    let created: DepartmentView = ada.post("/api/departments", new).await.expect(201);
    assert_eq!(
        (
            created.name.as_str(),
            created.label.as_str(),
            created.slug.as_str()
        ),
        ("Billing", "Billing & payments", "billing")
    );
    assert!(created.open, "open to customers unless said otherwise");
    assert_eq!(created.position, 1, "after General");

    let changed: DepartmentView = patch(
        &ada,
        &format!("/api/departments/{}", created.id),
        json!({"open": false, "position": -1, "label": "Payments"}),
    )
    .await
    .expect(200);
    assert_eq!(
        (
            changed.open,
            changed.position,
            changed.label.as_str(),
            changed.name.as_str()
        ),
        (false, -1, "Payments", "Billing"),
        "what is not named stays"
    );
    let listed: Vec<DepartmentView> = ada.get_json("/api/departments").await;
    assert_eq!(listed[0].name, "Billing", "ordered by position");
}

async fn bad_department_values_are_refused_and_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_agent("ada", Role::Admin, &[]).await;
    let ada = app.login("ada").await;
    let bad = [
        json!({"name": ""}),
        json!({"name": "x".repeat(101)}),
        json!({"name": "Billing", "slug": "Billing"}),
        json!({"name": "Billing", "slug": "bill ing"}),
        json!({"name": "Billing", "slug": "b".repeat(33)}),
        json!({"name": "Billing", "label": "  "}),
    ];
    for body in bad {
        let reply = ada.post("/api/departments", body.clone()).await;
        assert_eq!(reply.status, 422, "{body}: {:?}", reply.body);
        assert_eq!(reply.error().error, "invalid");
    }
    let wrong_type = ada.post("/api/departments", json!({"name": 5})).await;
    assert_eq!(wrong_type.status, 400, "{:?}", wrong_type.body);
    let listed: Vec<DepartmentView> = ada.get_json("/api/departments").await;
    assert_eq!(listed.len(), 1, "only General");

    let reply = patch(&ada, "/api/departments/1", json!({"slug": "NO"})).await;
    assert_eq!(reply.status, 422);
    let reply = patch(&ada, "/api/departments/999", json!({"open": false})).await;
    assert_eq!(reply.status, 404);
    let reply = patch(&ada, "/api/departments/abc", json!({"open": false})).await;
    assert_eq!(reply.status, 400);

    let reply = ada
        .post(
            "/api/departments",
            json!({"name": "Sales", "slug": "general"}),
        )
        .await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.error().message, "the slug \"general\" is taken");
    let reply = ada
        .post(
            "/api/departments",
            json!({"name": "General", "slug": "other"}),
        )
        .await;
    assert_eq!(reply.status, 409);
    assert_eq!(
        reply.error().message,
        "department \"General\" exists already"
    );
    let sales: DepartmentView = ada
        .post("/api/departments", json!({"name": "Sales"}))
        .await
        .expect(201);
    let reply = patch(
        &ada,
        &format!("/api/departments/{}", sales.id),
        json!({"slug": "general"}),
    )
    .await;
    assert_eq!(reply.status, 409);
    let listed: Vec<DepartmentView> = ada.get_json("/api/departments").await;
    assert_eq!(
        listed[1].slug, "sales",
        "the refused change changed nothing"
    );
}

/// Departments that existed before m0004 get label = name, a slug made from the name (unique) and
/// their creation order as position.
async fn existing_departments_get_a_label_a_slug_and_a_position(backend: Backend) {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::ConnectionTrait;

    let url = backend.fresh_database().await;
    let db = switchboard::store::connect(&url).await.expect("connecting");
    Migrator::up(&db, Some(3))
        .await
        .expect("migrating to m0003");
    for name in ["General", "Billing & Co", "general!"] {
        db.execute_unprepared(&format!(
            "INSERT INTO departments (name, created_at) VALUES ('{name}', '2026-01-01T00:00:00Z')"
        ))
        .await
        .expect("an old department");
    }
    Migrator::up(&db, None).await.expect("migrating on");
    let first = switchboard::store::paging::Page::first(switchboard::store::MAX_LIST_ROWS);
    let (rows, _) = switchboard::store::departments::list(&db, first)
        .await
        .expect("listing");
    let seen: Vec<(&str, &str, &str, bool)> = rows
        .iter()
        .map(|d| (d.name.as_str(), d.label.as_str(), d.slug.as_str(), d.open))
        .collect();
    assert_eq!(
        seen,
        [
            ("General", "General", "general", true),
            ("Billing & Co", "Billing & Co", "billing-co", true),
            (
                "general!",
                "general!",
                &format!("general-{}", rows[2].id),
                true
            ),
        ]
    );
    assert!(rows.windows(2).all(|w| w[0].position < w[1].position));
    db.close().await.expect("closing");
    backend.forget(&url);
}

crate::backend_tests!(
    any_agent_lists_departments_in_order_with_their_agents,
    only_an_admin_creates_and_changes_departments,
    bad_department_values_are_refused_and_change_nothing,
    existing_departments_get_a_label_a_slug_and_a_position,
);
