//! A logged-in agent's HTTP client: the session cookie and the console's Origin on every request.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::Ws;

/// An agent's session against one server.
#[derive(Clone)]
pub struct Session {
    pub address: String,
    pub origin: String,
    pub cookie: String,
    pub agent: Value,
    client: reqwest::Client,
}

/// A response: status and JSON body (Null when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
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
        let body: Value = response.json().await.expect("login body");
        Self {
            address: address.to_owned(),
            origin: origin.to_owned(),
            cookie,
            agent: body["agent"].clone(),
            client,
        }
    }

    /// This agent's id.
    pub fn id(&self) -> i64 {
        self.agent["id"].as_i64().expect("agent id")
    }

    /// This agent's display name.
    pub fn name(&self) -> String {
        self.agent["name"].as_str().expect("agent name").to_owned()
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

    pub async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.request(Method::POST, path, Some(body)).await
    }

    /// Accepts a ticket.
    pub async fn accept(&self, ticket: i64) -> Reply {
        self.request(Method::POST, &format!("/api/tickets/{ticket}/accept"), None)
            .await
    }

    /// Replies on a ticket.
    pub async fn reply(&self, ticket: i64, text: &str) -> Reply {
        self.post(
            &format!("/api/tickets/{ticket}/messages"),
            serde_json::json!({"text": text}),
        )
        .await
    }

    /// Opens the live WebSocket and reads its hello.
    pub async fn ws(&self) -> Ws {
        Ws::connect(&self.address, &self.origin, Some(&self.cookie))
            .await
            .expect("WebSocket upgrade")
    }
}
