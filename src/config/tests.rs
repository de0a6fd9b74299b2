//! Settings from the environment: defaults, bad values named, secrets redacted.

use std::collections::HashMap;

use super::*;

fn settings(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Settings::from_lookup(|name| map.get(name).cloned())
}

#[test]
fn defaults_fill_everything_but_the_token() {
    let s = settings(&[("TELEGRAM_BOT_TOKEN", "123:abc")]).unwrap();
    assert_eq!(s.database_url, DEFAULT_DATABASE_URL);
    assert_eq!(s.listen.to_string(), DEFAULT_LISTEN);
    assert_eq!(s.telegram_api_url.as_str(), "https://api.telegram.org/");
    assert!(s.public_url.is_none());
    assert_eq!(s.presence_heartbeat, Duration::from_secs(10));
    assert_eq!(s.presence_ttl, Duration::from_secs(30));
}

#[test]
fn retention_windows_default_to_a_week_and_two_days_and_updates_keep_at_least_a_day() {
    let token = ("TELEGRAM_BOT_TOKEN", "1:a");
    let s = settings(&[token]).unwrap();
    assert_eq!(s.retention.events, Duration::from_secs(7 * 24 * 3600));
    assert_eq!(s.retention.updates, Duration::from_secs(2 * 24 * 3600));
    let s = settings(&[
        token,
        ("SWITCHBOARD_EVENT_RETENTION", "12h"),
        ("SWITCHBOARD_UPDATE_RETENTION", "30h"),
    ])
    .unwrap();
    assert_eq!(s.retention.events, Duration::from_secs(12 * 3600));
    assert_eq!(s.retention.updates, Duration::from_secs(30 * 3600));
    let short = settings(&[token, ("SWITCHBOARD_UPDATE_RETENTION", "23h")]).unwrap_err();
    assert_eq!(short.variable, "SWITCHBOARD_UPDATE_RETENTION");
    let zero = settings(&[token, ("SWITCHBOARD_EVENT_RETENTION", "0")]).unwrap_err();
    assert_eq!(zero.variable, "SWITCHBOARD_EVENT_RETENTION");
    let short = settings(&[token, ("SWITCHBOARD_EVENT_RETENTION", "59m")]).unwrap_err();
    assert_eq!(short.variable, "SWITCHBOARD_EVENT_RETENTION");
}

#[test]
fn the_file_cache_has_a_default_place_and_size_and_a_bad_size_names_its_variable() {
    let token = ("TELEGRAM_BOT_TOKEN", "1:a");
    let s = settings(&[token]).unwrap();
    assert_eq!(
        s.file_cache.dir,
        std::path::PathBuf::from(DEFAULT_FILE_CACHE_DIR)
    );
    assert_eq!(s.file_cache.max_bytes, 512 * 1024 * 1024);
    let s = settings(&[
        token,
        ("SWITCHBOARD_FILE_CACHE_DIR", "/var/cache/sb"),
        ("SWITCHBOARD_FILE_CACHE_MB", "64"),
    ])
    .unwrap();
    assert_eq!(s.file_cache.dir, std::path::PathBuf::from("/var/cache/sb"));
    assert_eq!(s.file_cache.max_bytes, 64 * 1024 * 1024);
    for bad in ["0", "lots", "-5"] {
        let error = settings(&[token, ("SWITCHBOARD_FILE_CACHE_MB", bad)]).unwrap_err();
        assert_eq!(error.variable, "SWITCHBOARD_FILE_CACHE_MB");
    }
}

#[test]
fn presence_timing_is_read_in_seconds_and_the_ttl_outlasts_the_heartbeat() {
    let token = ("TELEGRAM_BOT_TOKEN", "1:a");
    let s = settings(&[
        token,
        ("SWITCHBOARD_PRESENCE_HEARTBEAT", "1"),
        ("SWITCHBOARD_PRESENCE_TTL", "3"),
    ])
    .unwrap();
    assert_eq!(
        (s.presence_heartbeat, s.presence_ttl),
        (Duration::from_secs(1), Duration::from_secs(3))
    );
    for (heartbeat, ttl, variable) in [
        ("0", "3", "SWITCHBOARD_PRESENCE_HEARTBEAT"),
        ("1", "soon", "SWITCHBOARD_PRESENCE_TTL"),
        ("5", "5", "SWITCHBOARD_PRESENCE_TTL"),
    ] {
        let refused = settings(&[
            token,
            ("SWITCHBOARD_PRESENCE_HEARTBEAT", heartbeat),
            ("SWITCHBOARD_PRESENCE_TTL", ttl),
        ])
        .unwrap_err();
        assert_eq!(refused.variable, variable);
    }
}

#[test]
fn a_missing_or_malformed_value_names_its_variable() {
    assert_eq!(settings(&[]).unwrap_err().variable, "TELEGRAM_BOT_TOKEN");
    assert_eq!(
        settings(&[("TELEGRAM_BOT_TOKEN", "nonsense")])
            .unwrap_err()
            .variable,
        "TELEGRAM_BOT_TOKEN"
    );
    let token = ("TELEGRAM_BOT_TOKEN", "1:a");
    assert_eq!(
        settings(&[token, ("SWITCHBOARD_LISTEN", "8080")])
            .unwrap_err()
            .variable,
        "SWITCHBOARD_LISTEN"
    );
    assert_eq!(
        settings(&[token, ("DATABASE_URL", "mysql://x")])
            .unwrap_err()
            .variable,
        "DATABASE_URL"
    );
    assert_eq!(
        settings(&[token, ("SWITCHBOARD_PUBLIC_URL", "not a url")])
            .unwrap_err()
            .variable,
        "SWITCHBOARD_PUBLIC_URL"
    );
    assert_eq!(
        settings(&[token, ("TELEGRAM_POLL_TIMEOUT", "60")])
            .unwrap_err()
            .variable,
        "TELEGRAM_POLL_TIMEOUT"
    );
}

#[test]
fn the_reopen_window_reads_days_hours_minutes_seconds_or_bare_seconds() {
    let token = ("TELEGRAM_BOT_TOKEN", "1:a");
    assert_eq!(
        settings(&[token]).unwrap().reopen_window,
        DEFAULT_REOPEN_WINDOW
    );
    for (text, seconds) in [
        ("7d", 604_800),
        ("12h", 43_200),
        ("30m", 1_800),
        ("45s", 45),
        ("90", 90),
        ("0", 0),
    ] {
        assert_eq!(
            parse_duration(text),
            Some(Duration::from_secs(seconds)),
            "{text}"
        );
    }
    for bad in ["", "d", "7w", "-1h", "1.5h", "h7", "7 d"] {
        assert_eq!(parse_duration(bad), None, "{bad:?}");
    }
    assert_eq!(
        settings(&[token, ("SWITCHBOARD_REOPEN_WINDOW", "a week")])
            .unwrap_err()
            .variable,
        "SWITCHBOARD_REOPEN_WINDOW"
    );
}

#[test]
fn debug_output_hides_the_token_and_database_password() {
    let s = settings(&[
        ("TELEGRAM_BOT_TOKEN", "123:tok3n"),
        ("DATABASE_URL", "postgres://u:hunter2@db/x"),
        (
            "TELEGRAM_WEBHOOK_URL",
            "https://desk.example.com/telegram/webhook",
        ),
        ("TELEGRAM_WEBHOOK_SECRET", "hook-pass_42"),
    ])
    .unwrap();
    let shown = format!("{s:?}");
    assert!(
        !shown.contains("tok3n") && !shown.contains("hunter2") && !shown.contains("hook-pass_42"),
        "{shown}"
    );
    assert!(
        shown.contains("desk.example.com/telegram/webhook"),
        "{shown}"
    );
}

#[test]
fn webhook_mode_needs_an_https_url_with_a_path_and_a_secret_telegram_accepts() {
    let token = ("TELEGRAM_BOT_TOKEN", "1:a");
    let url = (
        "TELEGRAM_WEBHOOK_URL",
        "https://desk.example.com/telegram/webhook",
    );
    let secret = ("TELEGRAM_WEBHOOK_SECRET", "s3cret_-X");
    assert!(settings(&[token]).unwrap().webhook.is_none());
    let s = settings(&[token, url, secret]).unwrap();
    let webhook = s.webhook.expect("webhook mode");
    assert_eq!(webhook.url.path(), "/telegram/webhook");
    assert_eq!(webhook.secret, "s3cret_-X");
    let local = ("TELEGRAM_WEBHOOK_URL", "http://127.0.0.1:9000/hook");
    assert!(settings(&[token, local, secret]).unwrap().webhook.is_some());
    let long = "a".repeat(257);
    for (vars, variable) in [
        (vec![token, url], "TELEGRAM_WEBHOOK_SECRET"),
        (vec![token, secret], "TELEGRAM_WEBHOOK_URL"),
        (
            vec![token, url, ("TELEGRAM_WEBHOOK_SECRET", "has space")],
            "TELEGRAM_WEBHOOK_SECRET",
        ),
        (
            vec![token, url, ("TELEGRAM_WEBHOOK_SECRET", long.as_str())],
            "TELEGRAM_WEBHOOK_SECRET",
        ),
        (
            vec![
                token,
                ("TELEGRAM_WEBHOOK_URL", "http://desk.example.com/hook"),
                secret,
            ],
            "TELEGRAM_WEBHOOK_URL",
        ),
        (
            vec![
                token,
                ("TELEGRAM_WEBHOOK_URL", "https://desk.example.com"),
                secret,
            ],
            "TELEGRAM_WEBHOOK_URL",
        ),
    ] {
        assert_eq!(settings(&vars).unwrap_err().variable, variable, "{vars:?}");
    }
}

#[test]
fn dead_letters_are_kept_thirty_days_unless_set() {
    let token = ("TELEGRAM_BOT_TOKEN", "1:a");
    assert_eq!(
        settings(&[token]).unwrap().retention.dead_letters,
        Duration::from_secs(30 * 24 * 3600)
    );
    let s = settings(&[token, ("SWITCHBOARD_DEAD_LETTER_RETENTION", "7d")]).unwrap();
    assert_eq!(s.retention.dead_letters, Duration::from_secs(7 * 24 * 3600));
    let bad = settings(&[token, ("SWITCHBOARD_DEAD_LETTER_RETENTION", "soon")]).unwrap_err();
    assert_eq!(bad.variable, "SWITCHBOARD_DEAD_LETTER_RETENTION");
}
