//! The server's limits against abuse: login concurrency and throttles, connection timeouts and
//! caps, WebSocket caps and the session lifetime. Read from environment variables with defaults.

use std::{net::IpAddr, time::Duration};

use crate::config::{SettingsError, parse_duration};

/// Limits the doors enforce (all settings, with defaults fit for one small team's server).
#[derive(Debug, Clone)]
pub struct Limits {
    /// `SWITCHBOARD_LOGIN_CONCURRENCY`: password checks run at once (each takes ~19 MiB).
    pub login_concurrency: usize,
    /// How long a login waits for a free password check before a 503.
    pub login_queue_wait: Duration,
    /// `SWITCHBOARD_LOGIN_FAILURES`: wrong passwords for one login within the window before 429.
    pub login_failures: u32,
    /// `SWITCHBOARD_LOGIN_FAILURE_WINDOW`: the window those failures are counted in.
    pub login_failure_window: Duration,
    /// `SWITCHBOARD_LOGIN_ADDRESS_BURST`: login attempts one client address may make at once.
    pub address_burst: u32,
    /// `SWITCHBOARD_LOGIN_ADDRESS_REFILL`: one more attempt per this long, up to the burst.
    pub address_refill: Duration,
    /// `SWITCHBOARD_TRUSTED_PROXIES`: peers whose `X-Forwarded-For` names the client (comma list).
    pub trusted_proxies: Vec<IpAddr>,
    /// `SWITCHBOARD_HEADER_TIMEOUT`: time to send a request's headers, and the longest an idle
    /// keep-alive connection stays open.
    pub header_timeout: Duration,
    /// `SWITCHBOARD_BODY_TIMEOUT`: time to send a request's body and have it answered.
    pub body_timeout: Duration,
    /// `SWITCHBOARD_MAX_CONNECTIONS`: open connections (WebSockets included); more wait to be
    /// accepted.
    pub max_connections: usize,
    /// `SWITCHBOARD_WS_PER_AGENT`: live consoles one agent may have open on an instance.
    pub ws_per_agent: usize,
    /// `SWITCHBOARD_WS_TOTAL`: live consoles an instance holds in all.
    pub ws_total: usize,
    /// How often an open console's session is checked again.
    pub session_recheck: Duration,
    /// `SWITCHBOARD_SESSION_TTL`: how long a login session lasts.
    pub session_ttl: Duration,
    /// `SWITCHBOARD_UPLOAD_PHOTO_MAX_BYTES`: the largest image an agent may send as a photo
    /// (Telegram's sendPhoto takes 10 MB).
    pub upload_photo_max: usize,
    /// `SWITCHBOARD_UPLOAD_DOCUMENT_MAX_BYTES`: the largest file an agent may send as a document
    /// (Telegram's sendDocument takes 50 MB).
    pub upload_document_max: usize,
    /// `SWITCHBOARD_UPLOAD_PENDING_MAX_BYTES`: the bytes of uploads kept while they wait for
    /// Telegram, in all; an upload past it is refused until some are sent.
    pub upload_pending_max: usize,
    /// `TELEGRAM_CHAT_INTERVAL_MS`: the least time between two messages to one chat.
    pub telegram_chat_interval: Duration,
    /// `TELEGRAM_MESSAGES_PER_SECOND`: messages the bot sends per second, all chats together.
    pub telegram_per_second: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            login_concurrency: 2,
            login_queue_wait: Duration::from_secs(3),
            login_failures: 5,
            login_failure_window: Duration::from_secs(15 * 60),
            address_burst: 20,
            address_refill: Duration::from_secs(3),
            trusted_proxies: Vec::new(),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 768,
            ws_per_agent: 10,
            ws_total: 500,
            session_recheck: Duration::from_millis(400),
            session_ttl: Duration::from_secs(12 * 60 * 60),
            upload_photo_max: 10 * 1024 * 1024,
            upload_document_max: 50 * 1024 * 1024,
            upload_pending_max: 500 * 1024 * 1024,
            telegram_chat_interval: Duration::from_secs(1),
            telegram_per_second: 30,
        }
    }
}

impl Limits {
    /// Reads the limits through `get` (empty values already filtered out).
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let d = Self::default();
        Ok(Self {
            login_concurrency: count(get, "SWITCHBOARD_LOGIN_CONCURRENCY", d.login_concurrency)?,
            login_queue_wait: d.login_queue_wait,
            login_failures: count(get, "SWITCHBOARD_LOGIN_FAILURES", d.login_failures as usize)?
                .try_into()
                .unwrap_or(u32::MAX),
            login_failure_window: duration(
                get,
                "SWITCHBOARD_LOGIN_FAILURE_WINDOW",
                d.login_failure_window,
            )?,
            address_burst: count(
                get,
                "SWITCHBOARD_LOGIN_ADDRESS_BURST",
                d.address_burst as usize,
            )?
            .try_into()
            .unwrap_or(u32::MAX),
            address_refill: duration(get, "SWITCHBOARD_LOGIN_ADDRESS_REFILL", d.address_refill)?,
            trusted_proxies: proxies(get)?,
            header_timeout: duration(get, "SWITCHBOARD_HEADER_TIMEOUT", d.header_timeout)?,
            body_timeout: duration(get, "SWITCHBOARD_BODY_TIMEOUT", d.body_timeout)?,
            max_connections: count(get, "SWITCHBOARD_MAX_CONNECTIONS", d.max_connections)?,
            ws_per_agent: count(get, "SWITCHBOARD_WS_PER_AGENT", d.ws_per_agent)?,
            ws_total: count(get, "SWITCHBOARD_WS_TOTAL", d.ws_total)?,
            session_recheck: d.session_recheck,
            session_ttl: duration(get, "SWITCHBOARD_SESSION_TTL", d.session_ttl)?,
            upload_photo_max: count(
                get,
                "SWITCHBOARD_UPLOAD_PHOTO_MAX_BYTES",
                d.upload_photo_max,
            )?,
            upload_document_max: count(
                get,
                "SWITCHBOARD_UPLOAD_DOCUMENT_MAX_BYTES",
                d.upload_document_max,
            )?,
            upload_pending_max: count(
                get,
                "SWITCHBOARD_UPLOAD_PENDING_MAX_BYTES",
                d.upload_pending_max,
            )?,
            telegram_chat_interval: Duration::from_millis(
                count(
                    get,
                    "TELEGRAM_CHAT_INTERVAL_MS",
                    d.telegram_chat_interval
                        .as_millis()
                        .try_into()
                        .unwrap_or(usize::MAX),
                )?
                .try_into()
                .unwrap_or(u64::MAX),
            ),
            telegram_per_second: count(get, "TELEGRAM_MESSAGES_PER_SECOND", d.telegram_per_second)?,
        })
    }
}

/// A whole number of at least 1 in `variable`, or `default`.
fn count(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: usize,
) -> Result<usize, SettingsError> {
    match get(variable) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or(SettingsError {
                variable,
                problem: format!("{v:?} is not a whole number of at least 1"),
            }),
    }
}

/// A non-zero duration (`15m`, `30s`, seconds) in `variable`, or `default`.
fn duration(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: Duration,
) -> Result<Duration, SettingsError> {
    match get(variable) {
        None => Ok(default),
        Some(v) => parse_duration(&v)
            .filter(|d| !d.is_zero())
            .ok_or(SettingsError {
                variable,
                problem: format!("{v:?} is not a duration like 15m, 30s or seconds"),
            }),
    }
}

fn proxies(get: &impl Fn(&str) -> Option<String>) -> Result<Vec<IpAddr>, SettingsError> {
    let Some(list) = get("SWITCHBOARD_TRUSTED_PROXIES") else {
        return Ok(Vec::new());
    };
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpAddr>().map_err(|_| SettingsError {
                variable: "SWITCHBOARD_TRUSTED_PROXIES",
                problem: format!("{s:?} is not an IP address"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_have_defaults_and_name_a_bad_variable() {
        let none = |_: &str| None;
        let limits = Limits::from_lookup(&none).unwrap();
        assert_eq!(limits.ws_per_agent, 10);
        assert_eq!(limits.login_failures, 5);
        let bad = |name: &str| (name == "SWITCHBOARD_WS_PER_AGENT").then(|| "0".to_owned());
        assert_eq!(
            Limits::from_lookup(&bad).unwrap_err().variable,
            "SWITCHBOARD_WS_PER_AGENT"
        );
        let proxies = |name: &str| {
            (name == "SWITCHBOARD_TRUSTED_PROXIES").then(|| "10.0.0.1, ::1".to_owned())
        };
        assert_eq!(
            Limits::from_lookup(&proxies).unwrap().trusted_proxies.len(),
            2
        );
        let wrong = |name: &str| (name == "SWITCHBOARD_TRUSTED_PROXIES").then(|| "x".to_owned());
        assert!(Limits::from_lookup(&wrong).is_err());
    }
}
