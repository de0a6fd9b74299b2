//! Sessions, Origin checks and bad input at the HTTP door.

use serde_json::{Value, json};
use switchboard::{
    domain::TicketStatus,
    views::{SessionView, TicketView},
};

use crate::support::{ApiError, Backend, Reply, Ws, spawn_app};

async fn post_raw(
    address: &str,
    path: &str,
    origin: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> Reply {
    let mut request = reqwest::Client::new()
        .post(format!("{address}{path}"))
        .header("Content-Type", content_type)
        .body(body);
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    Reply {
        status,
        body: response.json().await.unwrap_or(Value::Null),
    }
}

async fn a_wrong_password_or_unknown_login_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    app.agent("alice").await;
    for (login, password) in [("alice", "wrong"), ("nobody", "whatever")] {
        let body = serde_json::to_vec(&json!({"login": login, "password": password})).unwrap();
        let reply = post_raw(
            &app.address,
            "/api/session",
            Some(&app.origin),
            "application/json",
            body,
        )
        .await;
        assert_eq!(reply.status, 401);
        // The error's wire shape, exactly (docs/api.md): raw JSON on purpose.
        assert_eq!(
            reply.body,
            json!({"error": "unauthorized", "message": "wrong login or password"})
        );
    }
}

async fn every_api_route_needs_a_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = reqwest::Client::new();
    for path in [
        "/api/tickets",
        "/api/tickets/1",
        "/api/tickets/1/messages",
        "/api/session",
    ] {
        let response = client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{path}");
        assert_eq!(
            response.json::<ApiError>().await.unwrap().error,
            "unauthorized"
        );
    }
    let forged = client
        .get(format!("{}/api/tickets", app.address))
        .header("Cookie", "sb_session=forged")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let no_session_ws = Ws::connect(&app.address, &app.origin, None).await;
    assert!(
        matches!(no_session_ws, Err(tokio_tungstenite::tungstenite::Error::Http(ref r)) if r.status() == 401)
    );
    assert_eq!(
        client
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

async fn a_foreign_or_missing_origin_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let number = app
        .customer_opens_ticket(&crate::support::customer(4001, "Ann"), "hi")
        .await;
    for origin in [Some("http://evil.example"), None] {
        let body = serde_json::to_vec(
            &json!({"login": "alice", "password": crate::support::password_of("alice")}),
        )
        .unwrap();
        let reply = post_raw(
            &app.address,
            "/api/session",
            origin,
            "application/json",
            body,
        )
        .await;
        assert_eq!(
            reply.refusal(),
            (403, "bad_origin".to_owned()),
            "{origin:?}"
        );
    }
    let forged = alice.with_origin("http://evil.example");
    assert_eq!(forged.accept(number).await.status, 403);
    assert_eq!(
        alice
            .get_json::<TicketView>(&format!("/api/tickets/{number}"))
            .await
            .status,
        TicketStatus::Pending,
        "the forged accept changed nothing"
    );
    let ws = Ws::connect(&app.address, "http://evil.example", Some(&alice.cookie)).await;
    assert!(
        matches!(ws, Err(tokio_tungstenite::tungstenite::Error::Http(ref r)) if r.status() == 403)
    );
}

async fn malformed_wrongly_typed_and_oversized_bodies_are_clear_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases: [(&str, Vec<u8>, u16, &str); 4] = [
        (
            "application/json",
            b"{not json".to_vec(),
            400,
            "bad_request",
        ),
        (
            "application/json",
            br#"{"login": 5}"#.to_vec(),
            400,
            "bad_request",
        ),
        (
            "text/plain",
            br#"{"login":"a","password":"b"}"#.to_vec(),
            415,
            "unsupported_media_type",
        ),
        (
            "application/json",
            vec![b' '; 70 * 1024],
            413,
            "payload_too_large",
        ),
    ];
    for (content_type, body, status, code) in cases {
        let reply = post_raw(
            &app.address,
            "/api/session",
            Some(&app.origin),
            content_type,
            body,
        )
        .await;
        // `refusal` reads the body as an ApiError: a code and a message string.
        assert_eq!(reply.refusal(), (status, code.to_owned()), "{}", reply.body);
    }
}

async fn logging_out_ends_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    assert_eq!(
        alice
            .get_json::<SessionView>("/api/session")
            .await
            .agent
            .login,
        "alice"
    );
    assert_eq!(
        alice
            .request(reqwest::Method::DELETE, "/api/session", None)
            .await
            .status,
        204
    );
    assert_eq!(alice.get("/api/tickets").await.status, 401);
}

crate::backend_tests!(
    a_wrong_password_or_unknown_login_is_refused,
    every_api_route_needs_a_session,
    a_foreign_or_missing_origin_is_refused,
    malformed_wrongly_typed_and_oversized_bodies_are_clear_errors,
    logging_out_ends_the_session,
);
