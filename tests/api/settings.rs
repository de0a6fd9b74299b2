//! An agent's alert settings (`GET`/`PATCH /api/me/settings`): defaults until changed, kept on the
//! server so that another login (another browser) sees them, checked (422 naming the field, 400
//! for unknown fields), only one's own, and refused without a session or from a foreign Origin.

use reqwest::Method;
use serde_json::{Value, json};
use switchboard::domain::AlertSettings;

use crate::support::{Backend, Reply, Session, spawn_app};

const PATH: &str = "/api/me/settings";

async fn patch(session: &Session, body: Value) -> Reply {
    session.request(Method::PATCH, PATH, Some(body)).await
}

async fn settings_of(session: &Session) -> AlertSettings {
    session.get_json(PATH).await
}

async fn a_new_agent_has_the_default_settings(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let reply = alice.get(PATH).await;
    assert_eq!(
        reply.body,
        json!({
            "mute": false,
            "volume": 80,
            "repeat_every_secs": 30,
            "alert_on_customer_message": false,
            "desktop_notifications": false,
        }),
        "the wire shape and the defaults"
    );
}

async fn a_change_persists_and_follows_the_agent_to_another_login(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let changed: AlertSettings = patch(&alice, json!({"volume": 35, "repeat_every_secs": 0}))
        .await
        .expect(200);
    assert_eq!(
        changed,
        AlertSettings {
            volume: 35,
            repeat_every_secs: 0,
            ..AlertSettings::default()
        }
    );
    let more: AlertSettings = patch(
        &alice,
        json!({"mute": true, "alert_on_customer_message": true, "desktop_notifications": true}),
    )
    .await
    .expect(200);
    let expected = AlertSettings {
        mute: true,
        volume: 35,
        repeat_every_secs: 0,
        alert_on_customer_message: true,
        desktop_notifications: true,
    };
    assert_eq!(more, expected, "the second change kept the first");

    let elsewhere = app.login("alice").await;
    assert_ne!(elsewhere.cookie, alice.cookie, "another browser's session");
    assert_eq!(settings_of(&elsewhere).await, expected);
    let unchanged: AlertSettings = patch(&elsewhere, json!({})).await.expect(200);
    assert_eq!(unchanged, expected, "an empty change changes nothing");
}

async fn bad_values_are_refused_naming_the_field_and_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    patch(&alice, json!({"volume": 50}))
        .await
        .expect::<Value>(200);
    for (body, field) in [
        (json!({"volume": 101}), "volume"),
        (json!({"volume": -1}), "volume"),
        (json!({"repeat_every_secs": 3601}), "repeat_every_secs"),
        (json!({"repeat_every_secs": -1}), "repeat_every_secs"),
        (json!({"mute": true, "volume": 1000}), "volume"),
    ] {
        let reply = patch(&alice, body.clone()).await;
        let refusal = reply.error();
        assert_eq!(
            (reply.status.as_u16(), refusal.error.as_str()),
            (422, "invalid"),
            "{body}"
        );
        assert!(
            refusal.message.contains(field),
            "{body}: {}",
            refusal.message
        );
    }
    for body in [
        json!({"volume": 10, "colour": "red"}),
        json!({"mute": "yes"}),
        json!({"repeat_every_secs": 2.5}),
        json!([1, 2]),
    ] {
        assert_eq!(
            patch(&alice, body.clone()).await.refusal(),
            (400, "bad_request".to_owned()),
            "{body}"
        );
    }
    assert_eq!(
        settings_of(&alice).await,
        AlertSettings {
            volume: 50,
            ..AlertSettings::default()
        },
        "no refused change left a trace (not even the valid mute beside a bad volume)"
    );
}

async fn an_agent_reads_and_changes_only_their_own_settings(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let bob = app.agent("bob").await;
    patch(&alice, json!({"mute": true, "volume": 5}))
        .await
        .expect::<Value>(200);
    assert_eq!(
        settings_of(&bob).await,
        AlertSettings::default(),
        "bob reads his own"
    );
    patch(&bob, json!({"volume": 90, "repeat_every_secs": 60}))
        .await
        .expect::<Value>(200);
    assert_eq!(
        settings_of(&alice).await,
        AlertSettings {
            mute: true,
            volume: 5,
            ..AlertSettings::default()
        },
        "bob's change left alice's alone"
    );
    // There is no route to someone else's settings.
    for path in [
        format!("/api/agents/{}/settings", alice.id()),
        format!("/api/me/settings/{}", alice.id()),
    ] {
        assert_eq!(bob.get(&path).await.status.as_u16(), 404, "{path}");
    }
}

async fn settings_need_a_session_and_the_consoles_origin(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let client = reqwest::Client::new();
    let anonymous_read = client
        .get(format!("{}{PATH}", app.address))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous_read.status().as_u16(), 401);
    let anonymous_write = client
        .patch(format!("{}{PATH}", app.address))
        .header("Origin", &app.origin)
        .json(&json!({"mute": true}))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous_write.status().as_u16(), 401);

    let forged = alice.with_origin("http://evil.example");
    assert_eq!(
        patch(&forged, json!({"mute": true})).await.refusal(),
        (403, "bad_origin".to_owned())
    );
    assert_eq!(
        settings_of(&alice).await,
        AlertSettings::default(),
        "the forged change changed nothing"
    );

    alice
        .request(Method::DELETE, "/api/session", None)
        .await
        .expect::<Value>(204);
    assert_eq!(
        alice.get(PATH).await.refusal(),
        (401, "unauthorized".to_owned()),
        "a logged-out session reads nothing"
    );
    assert_eq!(
        patch(&alice, json!({"mute": true})).await.refusal(),
        (401, "unauthorized".to_owned())
    );
}

crate::backend_tests!(
    a_new_agent_has_the_default_settings,
    a_change_persists_and_follows_the_agent_to_another_login,
    bad_values_are_refused_naming_the_field_and_change_nothing,
    an_agent_reads_and_changes_only_their_own_settings,
    settings_need_a_session_and_the_consoles_origin,
);
