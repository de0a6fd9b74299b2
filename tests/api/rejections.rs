//! Every refusal has the one JSON error shape, the framework's own too (a bad or repeated query
//! parameter, an unknown route, a wrong method, a body that is not JSON), and a WebSocket that
//! breaks the protocol is closed with the code that says how.

use std::time::Duration;

use serde_json::Value;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::support::{Backend, Session, spawn_app};

/// Sends a request and returns its status, `Allow` header and JSON body (Null when not JSON).
async fn send(
    session: &Session,
    method: reqwest::Method,
    path: &str,
    body: Option<(&str, &str)>,
) -> (u16, Option<String>, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", session.address))
        .header("Origin", &session.origin)
        .header("Cookie", &session.cookie);
    if let Some((content_type, text)) = body {
        request = request
            .header("Content-Type", content_type)
            .body(text.to_owned());
    }
    let response = request.send().await.expect("an answer");
    let status = response.status().as_u16();
    let allow = response
        .headers()
        .get("allow")
        .map(|v| v.to_str().expect("text").to_owned());
    let json = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let text = response.text().await.expect("the body");
    let body = if json {
        serde_json::from_str(&text).expect("JSON")
    } else {
        Value::Null
    };
    (status, allow, body)
}

fn code(body: &Value) -> &str {
    assert!(body["message"].is_string(), "a message: {body}");
    body["error"].as_str().unwrap_or("<no error shape>")
}

async fn the_frameworks_own_refusals_have_the_json_error_shape(backend: Backend) {
    use reqwest::Method;
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;

    let (status, _, body) = send(
        &alice,
        Method::GET,
        "/api/tickets?status=open&status=all",
        None,
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (400, "bad_request"),
        "repeated query parameter: {body}"
    );

    for path in ["/api/nothing", "/nothing.js", "/api/tickets/1/nothing"] {
        let (status, _, body) = send(&alice, Method::GET, path, None).await;
        assert_eq!((status, code(&body)), (404, "not_found"), "{path}");
    }

    let (status, _, body) = send(&alice, Method::POST, "/api/nothing", None).await;
    assert_eq!(
        (status, code(&body)),
        (404, "not_found"),
        "any method to an unknown route"
    );
    let (status, allow, body) = send(&alice, Method::POST, "/app.js", None).await;
    assert_eq!((status, code(&body)), (405, "method_not_allowed"));
    assert_eq!(allow.as_deref(), Some("GET,HEAD"));

    let (status, allow, body) = send(&alice, Method::PUT, "/api/session", None).await;
    assert_eq!((status, code(&body)), (405, "method_not_allowed"));
    let allow = allow.expect("an Allow header");
    assert!(
        allow.contains("POST") && allow.contains("DELETE"),
        "{allow}"
    );

    let (status, allow, body) = send(&alice, Method::DELETE, "/healthz", None).await;
    assert_eq!((status, code(&body)), (405, "method_not_allowed"));
    assert!(allow.is_some_and(|a| a.contains("GET")));

    let reply_path = "/api/tickets/1/messages";
    let (status, _, body) = send(
        &alice,
        Method::POST,
        reply_path,
        Some(("text/plain", "{\"text\":\"hi\"}")),
    )
    .await;
    assert_eq!((status, code(&body)), (415, "unsupported_media_type"));
    let (status, _, body) = send(
        &alice,
        Method::POST,
        reply_path,
        Some(("application/json", "{\"text\":")),
    )
    .await;
    assert_eq!((status, code(&body)), (400, "bad_request"));
    let (status, _, body) = send(
        &alice,
        Method::POST,
        reply_path,
        Some(("application/json", "{\"text\":\"a\\u0000b\"}")),
    )
    .await;
    assert_eq!((status, code(&body)), (422, "invalid"), "NUL in agent text");

    // A login with a NUL is just a wrong login.
    let (status, _, body) = send(
        &alice,
        Method::POST,
        "/api/session",
        Some((
            "application/json",
            "{\"login\":\"alice\\u0000\",\"password\":\"x\"}",
        )),
    )
    .await;
    assert_eq!((status, code(&body)), (401, "unauthorized"));
    // A history search for a NUL is refused, not a database error.
    let (status, _, body) = send(&alice, Method::GET, "/api/tickets?q=%00", None).await;
    assert_eq!((status, code(&body)), (422, "invalid"));
}

/// Opens `/ws` over a bare TCP stream (to send frames no client library would) and reads past the
/// 101 answer.
async fn raw_socket(session: &Session) -> TcpStream {
    let host = session.address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).await.expect("connecting");
    let request = format!(
        "GET /ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Origin: {}\r\nCookie: {}\r\n\r\n",
        session.origin, session.cookie
    );
    stream
        .write_all(request.as_bytes())
        .await
        .expect("handshake");
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        stream.read_exact(&mut byte).await.expect("the answer");
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    stream
}

/// Reads server frames until a close frame; returns its code (None if the connection ends first).
async fn close_code(stream: &mut TcpStream) -> Option<u16> {
    let read = async {
        loop {
            let mut head = [0u8; 2];
            stream.read_exact(&mut head).await.ok()?;
            let opcode = head[0] & 0x0f;
            let len = match head[1] & 0x7f {
                126 => u64::from(stream.read_u16().await.ok()?),
                127 => stream.read_u64().await.ok()?,
                n => u64::from(n),
            };
            let mut payload = vec![0u8; usize::try_from(len).ok()?];
            stream.read_exact(&mut payload).await.ok()?;
            if opcode == 0x8 {
                return payload.get(..2).map(|c| u16::from_be_bytes([c[0], c[1]]));
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .expect("the server closes within 5 s")
}

/// A client frame (masked, as clients must) with this first byte and payload.
fn masked(first: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [0x12, 0x34, 0x56, 0x78];
    let mut frame = vec![first, 0x80 | u8::try_from(payload.len()).expect("short")];
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

async fn websocket_protocol_errors_close_with_the_code_that_says_how(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;

    // A text frame that is not UTF-8: 1007.
    let mut socket = raw_socket(&alice).await;
    socket
        .write_all(&masked(0x81, &[0xff, 0xfe, 0xfd]))
        .await
        .expect("sending");
    assert_eq!(close_code(&mut socket).await, Some(1007));

    // An unmasked frame from a client breaks the protocol: 1002.
    let mut socket = raw_socket(&alice).await;
    socket
        .write_all(&[0x81, 0x02, b'h', b'i'])
        .await
        .expect("sending");
    assert_eq!(close_code(&mut socket).await, Some(1002));

    // A frame over the size limit: 1009 (only then).
    let mut socket = raw_socket(&alice).await;
    let mut frame = vec![0x81, 0x80 | 127];
    frame.extend_from_slice(&(1_000_000u64).to_be_bytes());
    frame.extend_from_slice(&[1, 2, 3, 4]);
    socket.write_all(&frame).await.expect("sending");
    assert_eq!(close_code(&mut socket).await, Some(1009));
}

crate::backend_tests!(
    the_frameworks_own_refusals_have_the_json_error_shape,
    websocket_protocol_errors_close_with_the_code_that_says_how,
);
