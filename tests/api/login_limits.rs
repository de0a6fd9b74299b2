//! Logins under attack: password guessing is throttled per login (across instances) and per
//! client address, and a flood of wrong logins does not grow the server's memory.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard::{domain::Role, limits::Limits};

use crate::{
    instances::Instance,
    support::{Backend, WAIT, password_of, spawn_app_with_limits, test_limits},
};

/// A login attempt: the status, the `Retry-After` header and the JSON body.
async fn attempt(
    address: &str,
    login: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> (StatusCode, Option<u64>, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{address}/api/session"))
        .header("Origin", address)
        .json(&json!({"login": login, "password": password}));
    if let Some(hop) = forwarded_for {
        request = request.header("X-Forwarded-For", hop);
    }
    let response = request.send().await.expect("a login answer");
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let body = response.json().await.unwrap_or(Value::Null);
    (status, retry_after, body)
}

async fn the_sixth_wrong_password_is_refused_with_429_and_so_is_the_right_one_until_the_window_passes(
    backend: Backend,
) {
    let window = Duration::from_secs(4);
    let app = spawn_app_with_limits(
        backend,
        Limits {
            login_failure_window: window,
            ..test_limits()
        },
    )
    .await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    app.add_agent("bob", Role::Agent, &["General"]).await;

    for _ in 0..5 {
        let (status, _, body) = attempt(&app.address, "alice", "guess", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    let (status, retry_after, body) = attempt(&app.address, "alice", "guess", None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"], "too_many_requests", "{body}");
    let retry_after = retry_after.expect("a Retry-After header");
    assert!((1..=4).contains(&retry_after), "{retry_after}");
    assert_eq!(body["retry_after"], retry_after);

    let (status, _, _) = attempt(&app.address, "alice", &password_of("alice"), None).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits out the window"
    );
    let (status, _, _) = attempt(&app.address, "bob", &password_of("bob"), None).await;
    assert_eq!(status, StatusCode::OK, "another login is not throttled");

    let deadline = Instant::now() + window + WAIT;
    loop {
        let (status, _, _) = attempt(&app.address, "alice", &password_of("alice"), None).await;
        if status == StatusCode::OK {
            break;
        }
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert!(Instant::now() < deadline, "the window never passed");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn wrong_passwords_on_two_instances_count_together(backend: Backend) {
    let app = spawn_app_with_limits(backend, test_limits()).await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    let second = Instance::start(&app.database_url).await;

    for address in [&app.address, &second.address, &app.address, &second.address] {
        let (status, _, body) = attempt(address, "alice", "guess", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    let (status, _, body) = attempt(&app.address, "alice", "guess", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, retry_after, body) = attempt(&second.address, "alice", "guess", None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(retry_after.is_some());
}

async fn one_address_gets_its_burst_and_a_forged_forwarded_for_does_not_help(backend: Backend) {
    let app = spawn_app_with_limits(
        backend,
        Limits {
            address_burst: 3,
            address_refill: Duration::from_secs(60),
            ..test_limits()
        },
    )
    .await;
    for n in 0..3 {
        let (status, _, body) = attempt(&app.address, &format!("nobody{n}"), "x", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    for hop in [None, Some("203.0.113.7"), Some("198.51.100.1, 203.0.113.8")] {
        let (status, retry_after, body) = attempt(&app.address, "nobody9", "x", hop).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(body["error"], "too_many_requests");
        assert!(retry_after.is_some_and(|s| s > 50), "{retry_after:?}");
    }
}

async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(backend: Backend) {
    let app = spawn_app_with_limits(
        backend,
        Limits {
            address_burst: 2,
            address_refill: Duration::from_secs(60),
            trusted_proxies: vec!["127.0.0.1".parse().expect("an address")],
            ..test_limits()
        },
    )
    .await;
    for _ in 0..2 {
        let (status, _, _) = attempt(&app.address, "nobody", "x", Some("203.0.113.7")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _, _) = attempt(&app.address, "nobody", "x", Some("203.0.113.7")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _, _) = attempt(&app.address, "nobody", "x", Some("203.0.113.8")).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "another client behind the proxy"
    );
}

crate::backend_tests!(
    the_sixth_wrong_password_is_refused_with_429_and_so_is_the_right_one_until_the_window_passes,
    wrong_passwords_on_two_instances_count_together,
    one_address_gets_its_burst_and_a_forged_forwarded_for_does_not_help,
    behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket,
);

/// The resident memory of this process (the server runs in it), in bytes.
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("a VmRSS line")
        * 1024
}

/// 64 wrong logins at once (each would take argon2's 19 MiB) leave the memory flat: password
/// checks run a few at a time, and the rest wait or are told the server is busy. Measured from
/// this test process's own RSS, where the server runs; other tests running at the same time add
/// noise, so the bound is generous next to the 1.2 GiB an unbounded server takes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flood_of_64_wrong_logins_keeps_the_memory_under_150_mib() {
    let app = spawn_app_with_limits(Backend::Sqlite, test_limits()).await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    // One login first, so the server's lazy parts (the dummy hash, pools) are warm.
    let _ = attempt(&app.address, "warm", "x", None).await;
    let before = resident_bytes();
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(before));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max(resident_bytes(), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let answers = join_all((0..64).map(|n| {
        let address = app.address.clone();
        async move {
            let login = if n % 2 == 0 {
                "alice".to_owned()
            } else {
                format!("nobody{n}")
            };
            attempt(&address, &login, "wrong", None).await.0
        }
    }))
    .await;
    sampler.abort();
    let grown = peak
        .load(std::sync::atomic::Ordering::Relaxed)
        .saturating_sub(before);
    eprintln!(
        "a 64-way login flood grew the memory by {} KiB",
        grown / 1024
    );
    for status in &answers {
        assert!(
            [
                StatusCode::UNAUTHORIZED,
                StatusCode::TOO_MANY_REQUESTS,
                StatusCode::SERVICE_UNAVAILABLE
            ]
            .contains(status),
            "{status}"
        );
    }
    assert!(
        answers.contains(&StatusCode::UNAUTHORIZED),
        "some passwords were checked"
    );
    assert!(
        grown < 150 * 1024 * 1024,
        "the memory grew by {} MiB",
        grown / (1024 * 1024)
    );
}
