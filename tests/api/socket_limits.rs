//! Open consoles follow their session: logout, expiry, a disabled agent or a new password close
//! them within a second (4401), on this instance or another; a change of departments closes them
//! so they reconnect with the new scope (4409). An agent may hold ten consoles, not eleven.

use std::time::{Duration, Instant};

use reqwest::Method;
use switchboard::{
    http::{CLOSE_SCOPE_CHANGED, CLOSE_SESSION_ENDED},
    limits::Limits,
    service::Service,
};
use tokio_tungstenite::tungstenite::{self, Message};

use crate::{
    cli::switchboard,
    instances::Instance,
    support::{Backend, Session, Ws, password_of, spawn_app, spawn_app_with_limits, test_limits},
};

/// The close code the console received within `within`, if any.
async fn close_code_within(ws: &mut Ws, within: Duration) -> Option<u16> {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match ws.next_frame(left).await? {
            Message::Close(frame) => return frame.map(|f| u16::from(f.code)),
            _ => continue,
        }
    }
}

const WITHIN: Duration = Duration::from_secs(1);

async fn a_console_closes_within_a_second_of_logout(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let mut ws = alice.ws().await;
    alice
        .request(Method::DELETE, "/api/session", None)
        .await
        .expect::<serde_json::Value>(204);
    assert_eq!(
        close_code_within(&mut ws, WITHIN).await,
        Some(CLOSE_SESSION_ENDED)
    );
}

async fn a_console_closes_within_a_second_of_its_session_expiring(backend: Backend) {
    let ttl = Duration::from_secs(2);
    let app = spawn_app_with_limits(
        backend,
        Limits {
            session_ttl: ttl,
            ..test_limits()
        },
    )
    .await;
    let alice = app.agent("alice").await;
    let logged_in = Instant::now();
    let mut ws = alice.ws().await;
    let left = (logged_in + ttl + WITHIN).saturating_duration_since(Instant::now());
    assert_eq!(
        close_code_within(&mut ws, left).await,
        Some(CLOSE_SESSION_ENDED)
    );
    assert!(logged_in.elapsed() >= ttl - Duration::from_millis(100));
}

async fn a_console_closes_within_a_second_of_its_agent_being_disabled(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let mut ws = alice.ws().await;
    Service::set_active(&app.db().await, alice.id(), false)
        .await
        .expect("disabling alice");
    assert_eq!(
        close_code_within(&mut ws, WITHIN).await,
        Some(CLOSE_SESSION_ENDED)
    );
    assert_eq!(alice.get("/api/session").await.status.as_u16(), 401);
}

async fn a_console_closes_within_a_second_of_a_password_change(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let mut ws = alice.ws().await;
    Service::set_password(&app.db().await, alice.id(), "a new secret")
        .await
        .expect("changing the password");
    assert_eq!(
        close_code_within(&mut ws, WITHIN).await,
        Some(CLOSE_SESSION_ENDED)
    );
    Session::login(&app.address, &app.origin, "alice", "a new secret").await;
}

async fn a_change_of_departments_closes_the_console_so_it_reconnects_with_the_new_scope(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.add_department("Billing").await;
    let alice = app.agent("alice").await;
    let mut ws = alice.ws().await;
    Service::set_departments(&app.db().await, alice.id(), &["Billing".to_owned()])
        .await
        .expect("moving alice to Billing");
    assert_eq!(
        close_code_within(&mut ws, WITHIN).await,
        Some(CLOSE_SCOPE_CHANGED)
    );
    let again = alice.ws().await;
    let departments: Vec<String> = again
        .hello
        .departments
        .iter()
        .map(|d| d.name.clone())
        .collect();
    assert_eq!(departments, ["Billing"]);
}

async fn a_console_on_another_instance_closes_within_a_second_of_logout(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let second = Instance::start(&app.database_url).await;
    let mut ws = alice.on(&second.address).ws().await;
    alice
        .request(Method::DELETE, "/api/session", None)
        .await
        .expect::<serde_json::Value>(204);
    assert_eq!(
        close_code_within(&mut ws, WITHIN).await,
        Some(CLOSE_SESSION_ENDED)
    );
}

async fn a_console_on_another_instance_closes_within_a_second_of_its_agent_being_disabled(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let second = Instance::start(&app.database_url).await;
    let mut ws = alice.on(&second.address).ws().await;
    Service::set_active(&app.db().await, alice.id(), false)
        .await
        .expect("disabling alice");
    assert_eq!(
        close_code_within(&mut ws, WITHIN).await,
        Some(CLOSE_SESSION_ENDED)
    );
}

async fn a_console_on_another_instance_closes_within_a_second_of_its_session_expiring(
    backend: Backend,
) {
    // The session is made on the first instance with a short life; the console is on the second.
    let ttl = Duration::from_secs(2);
    let app = spawn_app_with_limits(
        backend,
        Limits {
            session_ttl: ttl,
            ..test_limits()
        },
    )
    .await;
    let alice = app.agent("alice").await;
    let logged_in = Instant::now();
    let second = Instance::start(&app.database_url).await;
    let mut ws = alice.on(&second.address).ws().await;
    let left = (logged_in + ttl + WITHIN).saturating_duration_since(Instant::now());
    assert_eq!(
        close_code_within(&mut ws, left).await,
        Some(CLOSE_SESSION_ENDED)
    );
}

async fn the_eleventh_console_of_an_agent_is_refused_with_429(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let bob = app.agent("bob").await;
    let mut consoles = Vec::new();
    for _ in 0..10 {
        consoles.push(alice.ws().await);
    }
    match Ws::connect(&alice.address, &alice.origin, Some(&alice.cookie)).await {
        Err(tungstenite::Error::Http(response)) => {
            assert_eq!(response.status().as_u16(), 429);
            assert!(response.headers().contains_key("retry-after"));
            let body: serde_json::Value =
                serde_json::from_slice(response.body().as_deref().unwrap_or_default())
                    .expect("a JSON refusal");
            assert_eq!(body["error"], "too_many_consoles", "{body}");
        }
        Err(other) => panic!("expected a 429, got {other}"),
        Ok(_) => panic!("the eleventh console was let in"),
    }
    let _bob = bob.ws().await;

    drop(consoles.pop());
    let deadline = Instant::now() + Duration::from_secs(5);
    while Ws::connect(&alice.address, &alice.origin, Some(&alice.cookie))
        .await
        .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "a closed console's place never came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn past_the_total_of_consoles_an_instance_answers_503(backend: Backend) {
    let app = spawn_app_with_limits(
        backend,
        Limits {
            ws_total: 2,
            ..test_limits()
        },
    )
    .await;
    let alice = app.agent("alice").await;
    let bob = app.agent("bob").await;
    let _first = alice.ws().await;
    let _second = bob.ws().await;
    match Ws::connect(&bob.address, &bob.origin, Some(&bob.cookie)).await {
        Err(tungstenite::Error::Http(response)) => {
            assert_eq!(response.status().as_u16(), 503);
            let body: serde_json::Value =
                serde_json::from_slice(response.body().as_deref().unwrap_or_default())
                    .expect("a JSON refusal");
            assert_eq!(body["error"], "busy", "{body}");
        }
        Err(other) => panic!("expected a 503, got {other}"),
        Ok(_) => panic!("a console past the total was let in"),
    }
}

async fn the_command_line_disables_an_agent_closing_their_console_and_enables_them_again(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let mut ws = alice.ws().await;
    let (ok, out) = switchboard(&app.database_url, &["agent", "disable", "alice"], "").await;
    assert!(ok, "{out}");
    assert_eq!(
        close_code_within(&mut ws, WITHIN).await,
        Some(CLOSE_SESSION_ENDED)
    );
    let refused = reqwest::Client::new()
        .post(format!("{}/api/session", app.address))
        .header("Origin", &app.origin)
        .json(&serde_json::json!({"login": "alice", "password": password_of("alice")}))
        .send()
        .await
        .expect("a login answer");
    assert_eq!(
        refused.status().as_u16(),
        401,
        "a disabled agent cannot log in"
    );

    let (ok, out) = switchboard(&app.database_url, &["agent", "enable", "alice"], "").await;
    assert!(ok, "{out}");
    let (ok, out) = switchboard(
        &app.database_url,
        &["agent", "password", "alice", "--password-stdin"],
        "brand-new-secret\n",
    )
    .await;
    assert!(ok, "{out}");
    Session::login(&app.address, &app.origin, "alice", "brand-new-secret").await;
    let (ok, out) = switchboard(&app.database_url, &["agent", "disable", "nobody"], "").await;
    assert!(!ok && out.contains("nobody"), "{out}");
}

crate::backend_tests!(
    the_command_line_disables_an_agent_closing_their_console_and_enables_them_again,
    past_the_total_of_consoles_an_instance_answers_503,
    a_console_closes_within_a_second_of_logout,
    a_console_closes_within_a_second_of_its_session_expiring,
    a_console_closes_within_a_second_of_its_agent_being_disabled,
    a_console_closes_within_a_second_of_a_password_change,
    a_change_of_departments_closes_the_console_so_it_reconnects_with_the_new_scope,
    a_console_on_another_instance_closes_within_a_second_of_logout,
    a_console_on_another_instance_closes_within_a_second_of_its_agent_being_disabled,
    a_console_on_another_instance_closes_within_a_second_of_its_session_expiring,
    the_eleventh_console_of_an_agent_is_refused_with_429,
);
