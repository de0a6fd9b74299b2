//! Administration from the console's API: who may use it (admins only) and agents (create,
//! disable, reset a password, role, departments; at least one enabled admin kept), with the audit
//! rows they leave (departments, bot texts and the audit trail's paging: `admin_content`).
//! Open consoles follow an admin's change at once, not at the next periodic check.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use switchboard::{
    domain::Role,
    http::{CLOSE_SCOPE_CHANGED, CLOSE_SESSION_ENDED},
    limits::Limits,
    views::{AdminAgentView, AuditView, DepartmentView},
};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{
    Backend, Session, TestApp, Ws, password_of, spawn_app, spawn_app_with_limits, test_limits,
};

/// How soon an admin's change reaches an open console. The periodic re-check is an hour in these
/// tests, so only the event log's control entry can close the console this soon.
pub(crate) const AT_ONCE: Duration = Duration::from_secs(3);

/// An app whose periodic session re-check never comes during a test.
pub(crate) async fn spawn_app_without_periodic_recheck(backend: Backend) -> TestApp {
    spawn_app_with_limits(
        backend,
        Limits {
            session_recheck: Duration::from_secs(3600),
            ..test_limits()
        },
    )
    .await
}

/// The close code the console received within `within`, if any.
pub(crate) async fn close_code_within(ws: &mut Ws, within: Duration) -> Option<u16> {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match ws.next_frame(left).await? {
            Message::Close(frame) => return frame.map(|f| u16::from(f.code)),
            _ => continue,
        }
    }
}

pub(crate) async fn patch(who: &Session, path: &str, body: Value) -> crate::support::Reply {
    who.request(Method::PATCH, path, Some(body)).await
}

/// The newest audit rows.
pub(crate) async fn audit(admin: &Session) -> Vec<AuditView> {
    admin.get_json("/api/audit").await
}

async fn only_admins_may_administer(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.admin("ada").await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    let sam = app.login("sam").await;
    let alice = app.agent("alice").await;
    let general = general_id(&alice).await;
    let calls: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/api/admin/agents".into(), None),
        (
            Method::POST,
            "/api/admin/agents".into(),
            Some(
                json!({"login": "newbie", "name": "Newbie", "password": "pass word", "role": "agent"}),
            ),
        ),
        (
            Method::PATCH,
            format!("/api/admin/agents/{}", alice.id()),
            Some(json!({"name": "Alice A."})),
        ),
        (
            Method::POST,
            format!("/api/admin/agents/{}/password", alice.id()),
            Some(json!({"password": "another one"})),
        ),
        (Method::GET, "/api/admin/bot-texts".into(), None),
        (
            Method::PUT,
            "/api/admin/bot-texts/en/closed".into(),
            Some(json!({"template": "Closed #{number}."})),
        ),
        (
            Method::DELETE,
            "/api/admin/bot-texts/en/closed".into(),
            None,
        ),
        (Method::GET, "/api/audit".into(), None),
        (
            Method::POST,
            "/api/departments".into(),
            Some(json!({"name": "Sales"})),
        ),
        (
            Method::PATCH,
            format!("/api/departments/{general}"),
            Some(json!({"greeting": "Hi from General"})),
        ),
    ];
    let audited_before = audit(&ada).await.len();
    for (method, path, body) in &calls {
        for who in [&alice, &sam] {
            let reply = who.request(method.clone(), path, body.clone()).await;
            assert_eq!(
                reply.refusal(),
                (403, "forbidden".to_owned()),
                "{method} {path} as {}",
                who.name()
            );
        }
    }
    assert_eq!(
        audit(&ada).await.len(),
        audited_before,
        "a refused change leaves no audit row"
    );
    let anonymous = reqwest::Client::new();
    for (method, path, _) in &calls {
        let status = anonymous
            .request(method.clone(), format!("{}{path}", app.address))
            .header("Origin", &app.origin)
            .send()
            .await
            .expect("request")
            .status();
        assert_eq!(status.as_u16(), 401, "{method} {path} without a session");
    }
    for (method, path, body) in &calls {
        let status = ada.request(method.clone(), path, body.clone()).await.status;
        assert!(
            status.is_success(),
            "{method} {path} as the admin: {status}"
        );
    }
}

async fn an_admin_creates_an_agent_who_logs_in_and_the_audit_names_it_without_the_password(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let ada = app.admin("ada").await;
    let billing = app.add_department("Billing").await;
    let dana: AdminAgentView = ada
        .post(
            "/api/admin/agents",
            json!({"login": "dana", "name": "Dana", "password": "dana's secret",
                   "role": "supervisor", "departments": [billing]}),
        )
        .await
        .expect(201);
    assert_eq!(
        (
            dana.login.as_str(),
            dana.role,
            dana.active,
            dana.departments.clone()
        ),
        ("dana", Role::Supervisor, true, vec![billing])
    );
    let session = Session::login(&app.address, &app.origin, "dana", "dana's secret").await;
    assert_eq!(session.id(), dana.id);

    let listed: Vec<AdminAgentView> = ada.get_json("/api/admin/agents").await;
    assert!(listed.iter().any(|a| a.id == dana.id));

    let rows = audit(&ada).await;
    let created = rows
        .iter()
        .find(|r| r.action == "agent.created")
        .expect("the creation is audited");
    assert_eq!(created.actor_id, Some(ada.id()));
    assert_eq!(created.actor_name, "ada");
    assert_eq!(created.target, format!("agent:{}", dana.id));
    assert_eq!(created.details["login"], "dana");
    assert_eq!(created.details["role"], "supervisor");
    for row in &rows {
        assert!(
            !row.details.to_string().contains("secret"),
            "no password in the audit: {row:?}"
        );
    }
}

async fn bad_agents_are_refused_clearly_and_nothing_is_created(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.admin("ada").await;
    let agent = |login: &str, password: &str, extra: Value| {
        let mut body =
            json!({"login": login, "name": "Someone", "password": password, "role": "agent"});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        body
    };
    for (body, status, code) in [
        (agent("", "long enough", json!({})), 422, "invalid"),
        (
            agent(&"x".repeat(65), "long enough", json!({})),
            422,
            "invalid",
        ),
        (agent("dana", "abc", json!({})), 422, "invalid"),
        (agent("dana", &"p".repeat(1025), json!({})), 422, "invalid"),
        (
            agent("dana", "long enough", json!({"departments": [9999]})),
            422,
            "invalid",
        ),
        (
            agent("dana", "long enough", json!({"role": "boss"})),
            400,
            "bad_request",
        ),
        (
            agent("dana", "long enough", json!({"name": "  "})),
            422,
            "invalid",
        ),
        (
            agent("dana", "long enough", json!({"colour": "red"})),
            400,
            "bad_request",
        ),
        (agent("ada", "long enough", json!({})), 409, "conflict"),
    ] {
        let reply = ada.post("/api/admin/agents", body.clone()).await;
        assert_eq!(reply.refusal(), (status, code.to_owned()), "{body}");
    }
    let listed: Vec<AdminAgentView> = ada.get_json("/api/admin/agents").await;
    assert_eq!(listed.len(), 1, "only ada: {listed:?}");
    let missing = patch(&ada, "/api/admin/agents/9999", json!({"name": "X"})).await;
    assert_eq!(missing.refusal().0, 404);
    let bad_page = ada.get("/api/admin/agents?limit=0").await;
    assert_eq!(bad_page.refusal().0, 422);
}

async fn disabling_an_agent_ends_their_sessions_and_closes_their_console_at_once(backend: Backend) {
    let app = spawn_app_without_periodic_recheck(backend).await;
    let ada = app.admin("ada").await;
    let alice = app.agent("alice").await;
    let mut ws = alice.ws().await;
    let disabled: AdminAgentView = patch(
        &ada,
        &format!("/api/admin/agents/{}", alice.id()),
        json!({"active": false}),
    )
    .await
    .expect(200);
    assert!(!disabled.active);
    assert_eq!(
        close_code_within(&mut ws, AT_ONCE).await,
        Some(CLOSE_SESSION_ENDED)
    );
    assert_eq!(alice.get("/api/session").await.status.as_u16(), 401);
    let refused = login_status(&app, "alice", &password_of("alice")).await;
    assert_eq!(refused, 401, "a disabled agent cannot log in");

    let listed: Vec<AdminAgentView> = ada.get_json("/api/admin/agents").await;
    assert!(listed.iter().any(|a| a.id == alice.id() && !a.active));
    patch(
        &ada,
        &format!("/api/admin/agents/{}", alice.id()),
        json!({"active": true}),
    )
    .await
    .expect::<AdminAgentView>(200);
    app.login("alice").await;
    let actions: Vec<String> = audit(&ada).await.into_iter().map(|r| r.action).collect();
    assert_eq!(
        &actions[..2],
        ["agent.enabled", "agent.disabled"],
        "newest first"
    );
}

async fn a_password_reset_ends_the_agents_sessions_at_once(backend: Backend) {
    let app = spawn_app_without_periodic_recheck(backend).await;
    let ada = app.admin("ada").await;
    let alice = app.agent("alice").await;
    let mut ws = alice.ws().await;
    let reply = ada
        .post(
            &format!("/api/admin/agents/{}/password", alice.id()),
            json!({"password": "a fresh secret"}),
        )
        .await;
    assert_eq!(reply.status.as_u16(), 204, "{}", reply.body);
    assert_eq!(
        close_code_within(&mut ws, AT_ONCE).await,
        Some(CLOSE_SESSION_ENDED)
    );
    assert_eq!(alice.get("/api/session").await.status.as_u16(), 401);
    assert_eq!(
        login_status(&app, "alice", &password_of("alice")).await,
        401
    );
    Session::login(&app.address, &app.origin, "alice", "a fresh secret").await;
    let short = ada
        .post(
            &format!("/api/admin/agents/{}/password", alice.id()),
            json!({"password": "abc"}),
        )
        .await;
    assert_eq!(short.refusal().0, 422);
    let row = &audit(&ada).await[0];
    assert_eq!(row.action, "agent.password_reset");
    assert!(!row.details.to_string().contains("fresh"));
}

async fn a_change_of_role_or_departments_rescopes_open_consoles_at_once(backend: Backend) {
    let app = spawn_app_without_periodic_recheck(backend).await;
    let ada = app.admin("ada").await;
    let billing = app.add_department("Billing").await;
    let alice = app.agent("alice").await;
    let mut ws = alice.ws().await;
    let moved: AdminAgentView = patch(
        &ada,
        &format!("/api/admin/agents/{}", alice.id()),
        json!({"departments": [billing]}),
    )
    .await
    .expect(200);
    assert_eq!(moved.departments, [billing]);
    assert_eq!(
        close_code_within(&mut ws, AT_ONCE).await,
        Some(CLOSE_SCOPE_CHANGED)
    );
    let mut again = alice.ws().await;
    let names: Vec<&str> = again
        .hello
        .departments
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(names, ["Billing"]);

    patch(
        &ada,
        &format!("/api/admin/agents/{}", alice.id()),
        json!({"role": "supervisor"}),
    )
    .await
    .expect::<AdminAgentView>(200);
    assert_eq!(
        close_code_within(&mut again, AT_ONCE).await,
        Some(CLOSE_SCOPE_CHANGED)
    );
    let third = alice.ws().await;
    assert_eq!(third.hello.role, Role::Supervisor);
    let row = &audit(&ada).await[0];
    assert_eq!(row.action, "agent.changed");
    assert_eq!(
        row.details["role"],
        json!({"from": "agent", "to": "supervisor"})
    );
}

async fn the_last_enabled_admin_is_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.admin("ada").await;
    let me = format!("/api/admin/agents/{}", ada.id());
    for change in [json!({"active": false}), json!({"role": "supervisor"})] {
        let reply = patch(&ada, &me, change.clone()).await;
        assert_eq!(reply.refusal(), (409, "conflict".to_owned()), "{change}");
    }
    let bea: AdminAgentView = ada
        .post(
            "/api/admin/agents",
            json!({"login": "bea", "name": "Bea", "password": "bea's pass", "role": "admin"}),
        )
        .await
        .expect(201);
    patch(&ada, &me, json!({"role": "agent"}))
        .await
        .expect::<AdminAgentView>(200);
    let bea_session = Session::login(&app.address, &app.origin, "bea", "bea's pass").await;
    let last = patch(
        &bea_session,
        &format!("/api/admin/agents/{}", bea.id),
        json!({"active": false}),
    )
    .await;
    assert_eq!(last.refusal().0, 409, "bea is the last admin now");
    assert_eq!(ada.get("/api/admin/agents").await.refusal().0, 403);
}

/// The status of a login attempt.
async fn login_status(app: &TestApp, login: &str, password: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/api/session", app.address))
        .header("Origin", &app.origin)
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .expect("login request")
        .status()
        .as_u16()
}

/// The id of the default department, General.
pub(crate) async fn general_id(who: &Session) -> switchboard::domain::DepartmentId {
    let departments: Vec<DepartmentView> = who.get_json("/api/departments").await;
    departments
        .into_iter()
        .find(|d| d.name == "General")
        .expect("General exists")
        .id
}

crate::backend_tests!(
    only_admins_may_administer,
    an_admin_creates_an_agent_who_logs_in_and_the_audit_names_it_without_the_password,
    bad_agents_are_refused_clearly_and_nothing_is_created,
    disabling_an_agent_ends_their_sessions_and_closes_their_console_at_once,
    a_password_reset_ends_the_agents_sessions_at_once,
    a_change_of_role_or_departments_rescopes_open_consoles_at_once,
    the_last_enabled_admin_is_kept,
);
