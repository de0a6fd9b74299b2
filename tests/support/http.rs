//! A logged-in agent's HTTP client: the session cookie and the console's Origin on every request.
//! Answers are read into the API's own shapes (`switchboard::views`); an error body into
//! [`ApiError`].

use reqwest::{Method, StatusCode};
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::Value;
use switchboard::{
    domain::{AgentId, EventSeq, TicketId},
    views::{AgentRef, AgentView, SessionView, TicketView},
};

use super::Ws;

/// An agent's session against one server.
#[derive(Clone)]
pub struct Session {
    pub address: String,
    pub origin: String,
    pub cookie: String,
    pub agent: AgentView,
    client: reqwest::Client,
}

/// A response: status and JSON body (Null when empty or not JSON). Read it typed with
/// [`Reply::json`] or [`Reply::error`]; `body` stays for the tests that check the wire shape.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

/// The body of every refusal: `{"error": code, "message": text}`, with the `owner` of the ticket
/// when an accept lost, and the `ticket` as it now is when a close or return came too late. Not a
/// library type: the API builds it as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiError {
    pub error: String,
    pub message: String,
    #[serde(default)]
    pub owner: Option<AgentRef>,
    #[serde(default)]
    pub ticket: Option<TicketView>,
}

impl Reply {
    /// The body as `T`; panics with the status and body when it is not one.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        T::deserialize(&self.body).unwrap_or_else(|e| {
            panic!(
                "expected a {} body: {e}\n{} {}",
                std::any::type_name::<T>(),
                self.status,
                self.body
            )
        })
    }

    /// The body as `T` after checking the status is `status`; panics with the body otherwise.
    pub fn expect<T: DeserializeOwned>(&self, status: u16) -> T {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        self.json()
    }

    /// The refusal in the body; panics unless the status is an error and the body one.
    pub fn error(&self) -> ApiError {
        assert!(
            self.status.is_client_error() || self.status.is_server_error(),
            "expected a refusal, got {} {}",
            self.status,
            self.body
        );
        self.json()
    }

    /// The status and the error code, for asserting both at once.
    pub fn refusal(&self) -> (u16, String) {
        (self.status.as_u16(), self.error().error)
    }
}

impl Session {
    /// Logs in; panics unless the server says 200.
    pub async fn login(address: &str, origin: &str, login: &str, password: &str) -> Self {
        let client = reqwest::Client::new();
        let response = client
            .post(format!("{address}/api/session"))
            .header("Origin", origin)
            .json(&serde_json::json!({"login": login, "password": password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(response.status(), StatusCode::OK, "login of {login} failed");
        let set_cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .expect("a session cookie")
            .to_owned();
        assert!(
            set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
            "{set_cookie}"
        );
        let cookie = set_cookie
            .split(';')
            .next()
            .expect("cookie pair")
            .to_owned();
        let body: SessionView = response.json().await.expect("login body");
        Self {
            address: address.to_owned(),
            origin: origin.to_owned(),
            cookie,
            agent: body.agent,
            client,
        }
    }

    /// This agent's id.
    pub fn id(&self) -> AgentId {
        self.agent.id
    }

    /// This agent's display name.
    pub fn name(&self) -> String {
        self.agent.name.clone()
    }

    /// The same session against another server (another instance on the same database).
    pub fn on(&self, address: &str) -> Self {
        Self {
            address: address.to_owned(),
            origin: address.to_owned(),
            ..self.clone()
        }
    }

    /// The same session sending a different Origin header (a forged cross-site request).
    pub fn with_origin(&self, origin: &str) -> Self {
        Self {
            origin: origin.to_owned(),
            ..self.clone()
        }
    }

    pub async fn request(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address))
            .header("Origin", &self.origin)
            .header("Cookie", &self.cookie);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        Reply {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    /// GETs `path` for its raw bytes: the status, the headers and the body.
    pub async fn get_bytes(&self, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let response = self
            .client
            .get(format!("{}{path}", self.address))
            .header("Origin", &self.origin)
            .header("Cookie", &self.cookie)
            .send()
            .await
            .expect("request");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("a body").to_vec();
        (status, headers, bytes)
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, None).await
    }

    /// GETs `path`, which must answer 200 with a `T`.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> T {
        self.get(path).await.expect(200)
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.request(Method::POST, path, Some(body)).await
    }

    /// Accepts a ticket (200 with the `TicketView`, or a refusal).
    pub async fn accept(&self, ticket: TicketId) -> Reply {
        self.request(Method::POST, &format!("/api/tickets/{ticket}/accept"), None)
            .await
    }

    /// Uploads a file to a ticket as the console does: a multipart form with `file`, and
    /// `caption` and `reply_to` when given (201 with the `MessageView`, or a refusal).
    pub async fn upload(
        &self,
        ticket: TicketId,
        file_name: &str,
        bytes: &[u8],
        caption: Option<&str>,
        reply_to: Option<i64>,
    ) -> Reply {
        let boundary = "switchboard-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        let mut text_part = |name: &str, value: &str| {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        };
        if let Some(caption) = caption {
            text_part("caption", caption);
        }
        if let Some(reply_to) = reply_to {
            text_part("reply_to", &reply_to.to_string());
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let response = self
            .client
            .post(format!("{}/api/tickets/{ticket}/files", self.address))
            .header("Origin", &self.origin)
            .header("Cookie", &self.cookie)
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .expect("upload request");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        Reply {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    /// Replies on a ticket (201 with the `MessageView`, or a refusal).
    pub async fn reply(&self, ticket: TicketId, text: &str) -> Reply {
        self.post(
            &format!("/api/tickets/{ticket}/messages"),
            serde_json::json!({"text": text}),
        )
        .await
    }

    /// Opens the live WebSocket resuming after `seq` and reads its hello.
    pub async fn ws_after(&self, seq: EventSeq) -> Ws {
        Ws::connect_to(
            &self.address,
            &format!("/ws?after={seq}"),
            &self.origin,
            Some(&self.cookie),
        )
        .await
        .expect("WebSocket upgrade")
    }

    /// Opens the live WebSocket and reads its hello.
    pub async fn ws(&self) -> Ws {
        Ws::connect(&self.address, &self.origin, Some(&self.cookie))
            .await
            .expect("WebSocket upgrade")
    }
}
