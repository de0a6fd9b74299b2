//! Origin checks: state-changing requests and WebSocket upgrades must come from the console's own
//! origin, which defeats cross-site request forgery and cross-site WebSocket hijacking.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use url::Url;

use super::{ApiError, AppState};

/// The origins the console is served from.
#[derive(Debug, Clone)]
pub struct AllowedOrigins(Vec<String>);

impl AllowedOrigins {
    /// The origin of `public_url`; for a loopback host, `localhost`, `127.0.0.1` and `[::1]` with the
    /// same port count as one.
    pub fn for_public_url(public_url: &Url) -> Self {
        let origin = public_url.origin().ascii_serialization();
        let mut origins = vec![origin];
        let loopback = ["localhost", "127.0.0.1", "[::1]"];
        if let Some(host) = public_url.host_str()
            && loopback.contains(&host)
        {
            let port = public_url
                .port()
                .map(|p| format!(":{p}"))
                .unwrap_or_default();
            for alias in loopback {
                origins.push(format!("{}://{alias}{port}", public_url.scheme()));
            }
        }
        origins.dedup();
        Self(origins)
    }

    /// Whether the request's Origin header names an allowed origin.
    pub fn allows(&self, headers: &HeaderMap) -> bool {
        headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|origin| self.0.iter().any(|allowed| allowed == origin))
    }
}

/// Refuses POST, PUT, PATCH and DELETE without the console's Origin.
pub async fn check_state_changing(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !state.origins.allows(request.headers()) {
        tracing::warn!(method = %request.method(), path = request.uri().path(), "request refused: bad origin");
        return ApiError::BadOrigin.into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ORIGIN, origin.parse().unwrap());
        h
    }

    #[test]
    fn the_public_origin_is_allowed_and_others_are_not() {
        let allowed =
            AllowedOrigins::for_public_url(&"https://desk.example.com/console".parse().unwrap());
        assert!(allowed.allows(&headers("https://desk.example.com")));
        assert!(!allowed.allows(&headers("https://evil.example.com")));
        assert!(!allowed.allows(&headers("http://desk.example.com")));
        assert!(!allowed.allows(&HeaderMap::new()));
    }

    #[test]
    fn loopback_spellings_of_the_same_port_count_as_one() {
        let allowed = AllowedOrigins::for_public_url(&"http://127.0.0.1:8080".parse().unwrap());
        assert!(allowed.allows(&headers("http://localhost:8080")));
        assert!(!allowed.allows(&headers("http://localhost:9090")));
    }
}
