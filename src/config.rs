//! Settings, read from environment variables with defaults. A bad value stops start-up with a
//! message naming the variable. Secrets are redacted in Debug output.

use std::{fmt, net::SocketAddr, time::Duration};

use url::Url;

use crate::limits::Limits;

/// Everything the server reads at start-up.
#[derive(Clone)]
pub struct Settings {
    /// `DATABASE_URL`: `sqlite://file.db?mode=rwc` or `postgres://user@host/db`.
    pub database_url: String,
    /// `TELEGRAM_BOT_TOKEN`: the bot's token from @BotFather.
    pub telegram_token: String,
    /// `TELEGRAM_API_URL`: the Bot API server.
    pub telegram_api_url: Url,
    /// `SWITCHBOARD_LISTEN`: the address the console server binds (port 0 picks a free one).
    pub listen: SocketAddr,
    /// `SWITCHBOARD_PUBLIC_URL`: where browsers reach the console; Origin checks use it. When unset,
    /// `http://` + the bound address.
    pub public_url: Option<Url>,
    /// `SWITCHBOARD_DEFAULT_DEPARTMENT`: the department new tickets go to (created if missing).
    pub default_department: String,
    /// `TELEGRAM_WEBHOOK_URL` and `TELEGRAM_WEBHOOK_SECRET`: webhook mode (Telegram posts updates
    /// to this URL, whose path our router serves) instead of long polling, when set.
    pub webhook: Option<WebhookSettings>,
    /// `TELEGRAM_POLL_TIMEOUT`: seconds one getUpdates long poll may wait (1 to 15).
    pub poll_timeout: u32,
    /// `SWITCHBOARD_REOPEN_WINDOW`: how long after a close a customer's message reopens the same
    /// ticket (`7d`, `12h`, `30m`, `45s` or seconds); later, a new linked ticket opens.
    pub reopen_window: Duration,
    /// `SWITCHBOARD_PRESENCE_HEARTBEAT`: seconds between this instance's refreshes of its presence
    /// rows (default 10).
    pub presence_heartbeat: Duration,
    /// `SWITCHBOARD_PRESENCE_TTL`: seconds after which the presence rows of an instance that
    /// stopped refreshing them are swept, its agents offline (default 30; more than the heartbeat).
    pub presence_ttl: Duration,
    /// `SWITCHBOARD_EVENT_RETENTION`, `SWITCHBOARD_UPDATE_RETENTION` and
    /// `SWITCHBOARD_DEAD_LETTER_RETENTION`: how long events, ingested Telegram update ids and dead
    /// letters are kept.
    pub retention: crate::retention::Retention,
    /// Login, connection and WebSocket limits (see `limits.rs`).
    pub limits: Limits,
    /// `SWITCHBOARD_BOT_TEXTS`: a JSON file overriding the bot's texts per language (see
    /// `texts.rs`); read at start, where a bad file fails naming the file and the key.
    pub bot_texts: Option<std::path::PathBuf>,
    /// `SWITCHBOARD_FILE_CACHE_DIR` and `SWITCHBOARD_FILE_CACHE_MB`: where customers' files
    /// fetched from Telegram are cached, and how large the cache may grow.
    pub file_cache: FileCacheSettings,
    /// `SWITCHBOARD_RATINGS`: `on` (the default) asks customers for 1–5 stars after a close;
    /// `off` does not.
    pub ratings: bool,
    /// `SWITCHBOARD_TRANSCRIPT_CHAT_ID`: a Telegram chat (a staff group, say) that gets each
    /// closed ticket's transcript as a text document; unset, none is posted.
    pub transcript_chat: Option<crate::domain::ChatId>,
    /// `SWITCHBOARD_METRICS_TOKEN`: the bearer token `GET /metrics` requires; unset, the route
    /// answers 404.
    pub metrics_token: Option<String>,
}

/// The disk cache of customers' files (`GET /api/messages/{id}/file`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCacheSettings {
    /// `SWITCHBOARD_FILE_CACHE_DIR`: the directory (created when needed; default
    /// `switchboard-files` in the working directory).
    pub dir: std::path::PathBuf,
    /// `SWITCHBOARD_FILE_CACHE_MB`: the most the cache holds, in MiB (default 512; the least
    /// recently used files are removed past it).
    pub max_bytes: u64,
}

/// The file cache's directory when `SWITCHBOARD_FILE_CACHE_DIR` is unset.
pub const DEFAULT_FILE_CACHE_DIR: &str = "switchboard-files";
/// The file cache's size when `SWITCHBOARD_FILE_CACHE_MB` is unset, in MiB.
pub const DEFAULT_FILE_CACHE_MB: u64 = 512;

impl FileCacheSettings {
    /// A cache in its own new directory under the system's temporary directory (for tests and
    /// the demo).
    pub fn temporary() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self {
            dir: std::env::temp_dir().join(format!("switchboard-files-{}-{n}", std::process::id())),
            max_bytes: DEFAULT_FILE_CACHE_MB * 1024 * 1024,
        }
    }
}

fn file_cache(get: &impl Fn(&str) -> Option<String>) -> Result<FileCacheSettings, SettingsError> {
    let dir = get("SWITCHBOARD_FILE_CACHE_DIR")
        .unwrap_or_else(|| DEFAULT_FILE_CACHE_DIR.to_owned())
        .into();
    let mb = match get("SWITCHBOARD_FILE_CACHE_MB") {
        None => DEFAULT_FILE_CACHE_MB,
        Some(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|mb| (1..=1_048_576).contains(mb))
            .ok_or(SettingsError {
                variable: "SWITCHBOARD_FILE_CACHE_MB",
                problem: format!("{v:?} is not a whole number of MiB from 1 to 1048576"),
            })?,
    };
    Ok(FileCacheSettings {
        dir,
        max_bytes: mb * 1024 * 1024,
    })
}

/// Webhook mode: where Telegram posts updates, and the secret it sends with each.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// `TELEGRAM_WEBHOOK_URL`: the public https URL; its path is the route we serve.
    pub url: Url,
    /// `TELEGRAM_WEBHOOK_SECRET`: 1 to 256 characters of `A-Z a-z 0-9 _ -`, sent by Telegram in
    /// `X-Telegram-Bot-Api-Secret-Token`.
    pub secret: String,
}

impl fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSettings")
            .field("url", &self.url.as_str())
            .field("secret", &"[redacted]")
            .finish()
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://switchboard.db?mode=rwc";
pub const DEFAULT_TELEGRAM_API_URL: &str = "https://api.telegram.org";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DEPARTMENT: &str = "General";
pub const DEFAULT_REOPEN_WINDOW: Duration = Duration::from_secs(7 * 24 * 60 * 60);

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("telegram_token", &"[redacted]")
            .field("telegram_api_url", &self.telegram_api_url.as_str())
            .field("listen", &self.listen)
            .field("public_url", &self.public_url.as_ref().map(Url::as_str))
            .field("default_department", &self.default_department)
            .field("webhook", &self.webhook)
            .field("poll_timeout", &self.poll_timeout)
            .field("reopen_window", &self.reopen_window)
            .field("bot_texts", &self.bot_texts)
            .field("presence_heartbeat", &self.presence_heartbeat)
            .field("presence_ttl", &self.presence_ttl)
            .field("retention", &self.retention)
            .field("limits", &self.limits)
            .field("file_cache", &self.file_cache)
            .field("ratings", &self.ratings)
            .field("transcript_chat", &self.transcript_chat)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// A setting that is missing or malformed.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct SettingsError {
    pub variable: &'static str,
    pub problem: String,
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Only `DATABASE_URL`, from the process environment: what the administration commands need.
    pub fn database_url_from_env() -> Result<String, SettingsError> {
        database_url(&|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let database_url = database_url(&get)?;
        let telegram_token = get("TELEGRAM_BOT_TOKEN").ok_or(SettingsError {
            variable: "TELEGRAM_BOT_TOKEN",
            problem: "is not set: get a token from @BotFather (or try `switchboard demo`, which needs none)".to_owned(),
        })?;
        check_token(&telegram_token)?;
        let telegram_api_url = parse_url(
            "TELEGRAM_API_URL",
            &get("TELEGRAM_API_URL").unwrap_or_else(|| DEFAULT_TELEGRAM_API_URL.to_owned()),
        )?;
        let listen = get("SWITCHBOARD_LISTEN")
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned())
            .parse::<SocketAddr>()
            .map_err(|e| SettingsError {
                variable: "SWITCHBOARD_LISTEN",
                problem: format!("not an address like 127.0.0.1:8080: {e}"),
            })?;
        let public_url = get("SWITCHBOARD_PUBLIC_URL")
            .map(|v| parse_url("SWITCHBOARD_PUBLIC_URL", &v))
            .transpose()?;
        let default_department =
            get("SWITCHBOARD_DEFAULT_DEPARTMENT").unwrap_or_else(|| DEFAULT_DEPARTMENT.to_owned());
        let webhook = webhook(&get)?;
        let poll_timeout = match get("TELEGRAM_POLL_TIMEOUT") {
            None => 10,
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|s| (1..=15).contains(s))
                .ok_or(SettingsError {
                    variable: "TELEGRAM_POLL_TIMEOUT",
                    problem: format!("{v:?} is not a whole number of seconds from 1 to 15"),
                })?,
        };
        let reopen_window = match get("SWITCHBOARD_REOPEN_WINDOW") {
            None => DEFAULT_REOPEN_WINDOW,
            Some(v) => parse_duration(&v).ok_or(SettingsError {
                variable: "SWITCHBOARD_REOPEN_WINDOW",
                problem: format!("{v:?} is not a duration like 7d, 12h, 30m, 45s or seconds"),
            })?,
        };
        let presence_heartbeat = seconds(&get, "SWITCHBOARD_PRESENCE_HEARTBEAT", 10)?;
        let presence_ttl = seconds(&get, "SWITCHBOARD_PRESENCE_TTL", 30)?;
        if presence_ttl <= presence_heartbeat {
            return Err(SettingsError {
                variable: "SWITCHBOARD_PRESENCE_TTL",
                problem: format!(
                    "must be longer than SWITCHBOARD_PRESENCE_HEARTBEAT ({} s)",
                    presence_heartbeat.as_secs()
                ),
            });
        }
        let retention = retention(&get)?;
        Ok(Self {
            database_url,
            telegram_token,
            telegram_api_url,
            listen,
            public_url,
            default_department,
            webhook,
            poll_timeout,
            reopen_window,
            presence_heartbeat,
            presence_ttl,
            retention,
            limits: Limits::from_lookup(&get)?,
            bot_texts: get("SWITCHBOARD_BOT_TEXTS")
                .filter(|path| !path.trim().is_empty())
                .map(std::path::PathBuf::from),
            file_cache: file_cache(&get)?,
            ratings: switch(&get, "SWITCHBOARD_RATINGS", true)?,
            transcript_chat: get("SWITCHBOARD_TRANSCRIPT_CHAT_ID")
                .map(|v| {
                    v.trim()
                        .parse::<i64>()
                        .ok()
                        .filter(|id| *id != 0)
                        .map(crate::domain::ChatId)
                        .ok_or(SettingsError {
                            variable: "SWITCHBOARD_TRANSCRIPT_CHAT_ID",
                            problem: format!(
                                "{v:?} is not a Telegram chat id (a whole number, like -1001234567890)"
                            ),
                        })
                })
                .transpose()?,
            metrics_token: get("SWITCHBOARD_METRICS_TOKEN").map(|t| t.trim().to_owned()),
        })
    }
}

/// An on/off setting: `on`/`off` (also true/false, 1/0, yes/no); `default` when unset.
fn switch(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: bool,
) -> Result<bool, SettingsError> {
    match get(variable)
        .map(|v| v.trim().to_ascii_lowercase())
        .as_deref()
    {
        None => Ok(default),
        Some("on" | "true" | "1" | "yes") => Ok(true),
        Some("off" | "false" | "0" | "no") => Ok(false),
        Some(other) => Err(SettingsError {
            variable,
            problem: format!("{other:?} is neither on nor off"),
        }),
    }
}

/// Webhook mode's settings: both or neither. The URL is https (http only on a loopback host, for
/// tests) with a path of its own; the secret is what Telegram allows in its header.
fn webhook(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<WebhookSettings>, SettingsError> {
    let secret = get("TELEGRAM_WEBHOOK_SECRET");
    let Some(url) = get("TELEGRAM_WEBHOOK_URL") else {
        return match secret {
            None => Ok(None),
            Some(_) => Err(SettingsError {
                variable: "TELEGRAM_WEBHOOK_URL",
                problem: "is not set, but TELEGRAM_WEBHOOK_SECRET is: set both for webhook mode, or neither to poll".to_owned(),
            }),
        };
    };
    let variable = "TELEGRAM_WEBHOOK_URL";
    let url = parse_url(variable, &url)?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if url.scheme() != "https" && !loopback {
        return Err(SettingsError {
            variable,
            problem: "must be an https:// URL (Telegram posts only to https)".to_owned(),
        });
    }
    let path = url.path();
    if path == "/" || path.starts_with("/api/") || path == "/ws" || url.query().is_some() {
        return Err(SettingsError {
            variable,
            problem: "needs a path of its own, like https://desk.example.com/telegram/webhook"
                .to_owned(),
        });
    }
    let Some(secret) = secret else {
        return Err(SettingsError {
            variable: "TELEGRAM_WEBHOOK_SECRET",
            problem: "is not set: webhook mode needs a secret (1 to 256 of A-Z a-z 0-9 _ -)"
                .to_owned(),
        });
    };
    if !is_webhook_secret(&secret) {
        return Err(SettingsError {
            variable: "TELEGRAM_WEBHOOK_SECRET",
            problem: "must be 1 to 256 characters of A-Z a-z 0-9 _ -, as Telegram requires"
                .to_owned(),
        });
    }
    Ok(Some(WebhookSettings { url, secret }))
}

/// Whether `secret` is one Telegram accepts as a webhook's `secret_token`.
pub fn is_webhook_secret(secret: &str) -> bool {
    (1..=256).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The retention windows; an update retention under Telegram's 24 hours is refused (a repeated
/// update would be ingested twice).
fn retention(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<crate::retention::Retention, SettingsError> {
    use crate::retention::{MIN_EVENT_RETENTION, MIN_UPDATE_RETENTION, Retention};
    let window = |variable: &'static str, default: Duration| match get(variable) {
        None => Ok(default),
        Some(v) => parse_duration(&v)
            .filter(|d| !d.is_zero())
            .ok_or(SettingsError {
                variable,
                problem: format!("{v:?} is not a duration like 7d, 12h, 30m, 45s or seconds"),
            }),
    };
    let defaults = Retention::default();
    let events = window("SWITCHBOARD_EVENT_RETENTION", defaults.events)?;
    let updates = window("SWITCHBOARD_UPDATE_RETENTION", defaults.updates)?;
    let dead_letters = window("SWITCHBOARD_DEAD_LETTER_RETENTION", defaults.dead_letters)?;
    if events < MIN_EVENT_RETENTION {
        return Err(SettingsError {
            variable: "SWITCHBOARD_EVENT_RETENTION",
            problem: "must be at least 1h: other instances read fresh events from the table"
                .to_owned(),
        });
    }
    if updates < MIN_UPDATE_RETENTION {
        return Err(SettingsError {
            variable: "SWITCHBOARD_UPDATE_RETENTION",
            problem: "must be at least 24h: Telegram may deliver an update again for 24 hours"
                .to_owned(),
        });
    }
    Ok(Retention {
        events,
        updates,
        dead_letters,
    })
}

/// A duration: a whole number with a unit `d`, `h`, `m` or `s`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&text[..i], c),
        _ => (text, 's'),
    };
    let scale: u64 = match unit {
        'd' => 24 * 60 * 60,
        'h' => 60 * 60,
        'm' => 60,
        's' => 1,
        _ => return None,
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits
        .parse::<u64>()
        .ok()?
        .checked_mul(scale)
        .map(Duration::from_secs)
}

/// A whole number of seconds from 1 to 3600 in `variable`, or `default`.
fn seconds(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: u64,
) -> Result<Duration, SettingsError> {
    match get(variable) {
        None => Ok(Duration::from_secs(default)),
        Some(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|s| (1..=3600).contains(s))
            .map(Duration::from_secs)
            .ok_or(SettingsError {
                variable,
                problem: format!("{v:?} is not a whole number of seconds from 1 to 3600"),
            }),
    }
}

/// `DATABASE_URL`, or the default SQLite file.
fn database_url(get: &impl Fn(&str) -> Option<String>) -> Result<String, SettingsError> {
    let url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
    if url.starts_with("sqlite:")
        || url.starts_with("postgres://")
        || url.starts_with("postgresql://")
    {
        Ok(url)
    } else {
        Err(SettingsError {
            variable: "DATABASE_URL",
            problem: "must start with sqlite:, postgres:// or postgresql://".to_owned(),
        })
    }
}

/// Checks the shape of a bot token: `<bot id>:<secret>`.
pub fn check_token(token: &str) -> Result<(), SettingsError> {
    let ok = token.split_once(':').is_some_and(|(id, secret)| {
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_digit())
            && !secret.is_empty()
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    });
    if ok {
        Ok(())
    } else {
        Err(SettingsError {
            variable: "TELEGRAM_BOT_TOKEN",
            problem: "is not a bot token like 123456:ABC-def".to_owned(),
        })
    }
}

fn parse_url(variable: &'static str, value: &str) -> Result<Url, SettingsError> {
    let url = Url::parse(value.trim_end_matches('/')).map_err(|e| SettingsError {
        variable,
        problem: format!("not a URL: {e}"),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(SettingsError {
            variable,
            problem: "must be an http:// or https:// URL".to_owned(),
        });
    }
    Ok(url)
}

fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("redacted"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests;
