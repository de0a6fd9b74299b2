//! Ingest: customer messages through the fake Bot API into the real server binary (its own
//! process, a fresh database), measured at a real WebSocket console.
//!
//! Run: `cargo bench --bench ingest`. SQLite always; PostgreSQL too when `BENCH_POSTGRES_URL` (or
//! `TEST_POSTGRES_URL`) names a server (each server run creates its own `sb_bench_*` database and
//! drops it at the end; leftovers of runs that died, with nobody connected, are dropped at the
//! start). Settings:
//! - `BENCH_BURST` (default 10000): the burst of new customers, then as many follow-ups; also the
//!   burst whose acknowledgements are sent.
//! - `BENCH_RATES` (default `100,2000`) and `BENCH_RATE_SECONDS` (default 5): the fixed offered
//!   rates (new customers per second) whose update → console latency is reported.
//! - `BENCH_BACKLOG` (default 5000), `BENCH_BACKLOG_CHATS` (default 500), `BENCH_BACKLOG_RATE`
//!   (default 100): the outbox backlog phase (below).
//! - `BENCH_PHASES` (default `rates,bursts,acks,backlog`): which phases to run.
//! - `BENCH_BACKENDS` (default `sqlite,postgres`): which backends to run.
//! - `BENCH_PERF` (a path prefix): record `perf record -g` of the server during the new-customer
//!   burst into `<prefix>-<backend>.data`.
//! - `BENCH_DOC`: where the table goes (see `switchboard::bench::report`).
//!
//! What is measured, per backend:
//! - `rates` and `bursts` (one server, the outbox at Telegram's pace: 30 messages/s, 1 s per chat):
//!   new customers offered at fixed rates, then all updates of a burst offered at once (new
//!   customers, then follow-ups). Throughput = updates / (last arrival − offer); latency per update
//!   from its offer to its `message.created` frame at the console; server CPU per update = the
//!   server's user+system CPU (/proc/<pid>/stat) over the phase / updates. The outbox sends what it
//!   can at 30/s meanwhile, so a burst's acknowledgements are mostly still queued at its end.
//! - `acks`: another server with the outbox's pacing lifted (`TELEGRAM_MESSAGES_PER_SECOND`
//!   1,000,000, `TELEGRAM_CHAT_INTERVAL_MS` 1) and the fake's limits off: a burst of new customers,
//!   measured until every acknowledgement was sent and the outbox is empty. CPU per new customer
//!   including its acknowledgement = the server's CPU over that whole interval / customers.
//! - `backlog`: another server at Telegram's pace with the fake enforcing Telegram's limits (429
//!   with `retry_after`): new customers offered at `BENCH_BACKLOG_RATE`/s once with the outbox
//!   empty and once while it drains `BENCH_BACKLOG` agents' replies over `BENCH_BACKLOG_CHATS`
//!   tickets (queued through the HTTP API first); latency of both, and the 429s.

#[path = "support/ingest_run.rs"]
mod ingest_run;
#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/server.rs"]
mod server;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use ingest_run::{Phase, Run};
use server::*;
use switchboard::{
    bench::report::{Report, Target},
    domain::TelegramUserId,
    simulator::Customer,
};

/// The outbox's pacing lifted, for the acknowledgement phase.
const LIFTED: [(&str, &str); 2] = [
    ("TELEGRAM_MESSAGES_PER_SECOND", "1000000"),
    ("TELEGRAM_CHAT_INTERVAL_MS", "1"),
];

/// What a backend's phases measured.
struct Table {
    backend: &'static str,
    rows: Vec<String>,
    targets: Vec<Target>,
}

impl Table {
    fn row(&mut self, what: &str, phase: &Phase, bold: bool) {
        let rate = if bold {
            format!("**{:.0}/s**", phase.per_second())
        } else {
            format!("{:.0}/s", phase.per_second())
        };
        self.rows.push(format!(
            "| {} | {what} | {rate} | {:.1} | {:.1} | {:.1} | {:.3} |",
            self.backend,
            phase.latency(0.5),
            phase.latency(0.95),
            phase.latency(0.99),
            phase.cpu_per_update_ms(),
        ));
        println!("{}", self.rows.last().expect("a row"));
    }

    fn target(&mut self, target: &str, measured: String, met: Option<bool>) {
        self.targets.push(Target::new(
            format!("{target} ({})", self.backend),
            measured,
            met,
        ));
    }

    fn markdown(&self) -> String {
        let mut table = "| backend | phase | updates/s to the console | p50 ms | p95 ms | p99 ms | server CPU ms/update |\n|---|---|---|---|---|---|---|\n".to_owned();
        for row in &self.rows {
            table.push_str(row);
            table.push('\n');
        }
        table
    }
}

const NOTES: &str = "Phases: new customers at fixed rates and bursts run on one server with the \
outbox at Telegram's pace (30 messages/s, 1 s per chat), so their CPU includes the few \
acknowledgements sent meanwhile. \"acknowledgements sent\" runs on its own server with the pacing \
lifted (`TELEGRAM_MESSAGES_PER_SECOND=1000000`, `TELEGRAM_CHAT_INTERVAL_MS=1`): its rate is \
customers / time until the last acknowledgement was sent, its CPU the server's CPU over that whole \
time per customer. The backlog rows run on their own server at Telegram's pace with the fake Bot API \
enforcing Telegram's limits (429 with `retry_after`).";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let burst = env_number("BENCH_BURST", 10_000);
    let rates = env_list("BENCH_RATES", &[100, 2000]);
    let rate_seconds = env_number("BENCH_RATE_SECONDS", 5);
    let phases =
        std::env::var("BENCH_PHASES").unwrap_or_else(|_| "rates,bursts,acks,backlog".into());
    let phase = |name: &str| phases.split(',').any(|p| p.trim() == name);
    let backends = std::env::var("BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let postgres_url = std::env::var("BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("TEST_POSTGRES_URL"))
        .ok();
    let perf = std::env::var("BENCH_PERF").ok();
    if let (Some(url), true) = (&postgres_url, backends.contains("postgres")) {
        for name in postgres::drop_leftovers(url).await? {
            println!("dropped the leftover database {name}");
        }
    }
    for backend in backends.split(',').map(str::trim) {
        let (name, postgres) = match backend {
            "sqlite" => ("SQLite", None),
            "postgres" => match &postgres_url {
                Some(url) => ("PostgreSQL", Some(url.as_str())),
                None => {
                    println!("PostgreSQL skipped: set BENCH_POSTGRES_URL or TEST_POSTGRES_URL");
                    continue;
                }
            },
            other => anyhow::bail!("unknown backend {other}"),
        };
        let report = Report::begin(
            format!("ingest:{backend}"),
            format!("ingest, {name} (`benches/ingest.rs`)"),
        );
        println!("{name}: load average at the start {}", load());
        let mut table = Table {
            backend: name,
            rows: Vec::new(),
            targets: Vec::new(),
        };
        if phase("rates") || phase("bursts") {
            let mut run = Run::start(postgres, &[]).await?;
            println!("{name}: server pid {}", run.server.pid);
            // Warm-up: a few tickets, not counted.
            let mut next_customer: i64 = 5_000_000;
            run.at_rate(50, 1, &mut next_customer).await?;
            if phase("rates") {
                for &rate in &rates {
                    let measured = run.at_rate(rate, rate_seconds, &mut next_customer).await?;
                    let what = format!(
                        "new customers offered at {rate}/s ({} updates)",
                        measured.updates
                    );
                    table.row(&what, &measured, false);
                    let limit = match rate {
                        100 => 10.0,
                        2000 => 25.0,
                        _ => continue,
                    };
                    let p99 = measured.latency(0.99);
                    table.target(
                        &format!("update → console p99 ≤{limit:.0} ms at {rate}/s"),
                        format!("p99 {p99:.1} ms ({:.0}/s reached)", measured.per_second()),
                        Some(p99 <= limit),
                    );
                }
            }
            if phase("bursts") {
                bursts(&mut run, &mut table, burst, perf.as_deref(), backend).await?;
            }
            run.finish().await?;
        }
        if phase("acks") {
            acknowledged(postgres, &mut table, burst).await?;
        }
        if phase("backlog") {
            backlog(postgres, &mut table, rate_seconds).await?;
        }
        println!("{name}: load average at the end {}", load());
        let markdown = table.markdown();
        println!("\n{markdown}");
        report.publish(&markdown, NOTES, &table.targets)?;
    }
    Ok(())
}

/// A burst of new customers, then a burst of follow-ups from the same customers.
async fn bursts(
    run: &mut Run,
    table: &mut Table,
    burst: usize,
    perf: Option<&str>,
    backend: &str,
) -> anyhow::Result<()> {
    let customers: Vec<Customer> = (0..burst)
        .map(|i| Customer::new(TelegramUserId(1_000_000 + i as i64), "Burst", None))
        .collect();
    let perf_path = perf.map(|p| format!("{p}-{backend}.data"));
    let new = run.burst(&customers, perf_path.as_deref()).await?;
    table.row(
        &format!("burst of new customers ({} updates)", new.updates),
        &new,
        true,
    );
    let follow = run.burst(&customers, None).await?;
    table.row(
        &format!("burst of follow-ups ({} updates)", follow.updates),
        &follow,
        true,
    );
    let (goal, target) = if backend == "sqlite" {
        (8000.0, "new tickets ≥8,000/s, bursts of 10,000")
    } else {
        (4000.0, "new tickets ≥4,000/s, bursts of 10,000")
    };
    table.target(
        target,
        format!("{:.0}/s (burst of {burst})", new.per_second()),
        Some(new.per_second() >= goal),
    );
    table.target(
        "follow-ups at least as fast as new tickets",
        format!("{:.0}/s vs {:.0}/s", follow.per_second(), new.per_second()),
        Some(follow.per_second() >= new.per_second()),
    );
    for (what, phase) in [("new ticket", &new), ("follow-up", &follow)] {
        let cpu = phase.cpu_per_update_ms();
        table.target(
            &format!("≤0.1 ms server CPU per update: {what}"),
            format!("{cpu:.3} ms"),
            Some(cpu <= 0.1),
        );
    }
    Ok(())
}

/// A burst of new customers on a server whose outbox is not paced, until every acknowledgement
/// was sent: the server's CPU per new customer including its acknowledgement.
async fn acknowledged(
    postgres: Option<&str>,
    table: &mut Table,
    burst: usize,
) -> anyhow::Result<()> {
    let mut run = Run::start(postgres, &LIFTED).await?;
    let mut next_customer: i64 = 5_000_000;
    run.at_rate(50, 1, &mut next_customer).await?;
    run.outbox_drained(Duration::from_secs(60)).await?;
    let customers: Vec<Customer> = (0..burst)
        .map(|i| Customer::new(TelegramUserId(1_000_000 + i as i64), "Acked", None))
        .collect();
    let sent_before = run.telegram.bot_message_count();
    let cpu_before = run.server.cpu()?;
    let started = Instant::now();
    let mut measured = run.burst(&customers, None).await?;
    let ingest_cpu = measured.cpu;
    // Every new customer gets an acknowledgement: wait for them at the fake (cheap), then for the
    // outbox to be empty (anything else it had to send).
    let deadline = Instant::now() + Duration::from_secs(600);
    while run.telegram.bot_message_count() - sent_before < burst {
        anyhow::ensure!(Instant::now() < deadline, "acknowledgements missing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    run.outbox_drained(Duration::from_secs(600)).await?;
    measured.elapsed = started.elapsed();
    measured.cpu = run.server.cpu()? - cpu_before;
    let sent = run.telegram.bot_message_count() - sent_before;
    run.finish().await?;
    table.row(
        &format!(
            "burst of {burst} new customers, acknowledgements sent (outbox pacing lifted; {sent} \
             messages sent; CPU until the console had all: {:.3} ms/customer)",
            ms(ingest_cpu) / burst as f64
        ),
        &measured,
        true,
    );
    let cpu = measured.cpu_per_update_ms();
    table.target(
        "server CPU per new customer including its acknowledgement, ≤0.1 + ≤0.2 ms",
        format!("{cpu:.3} ms"),
        Some(cpu <= 0.3),
    );
    Ok(())
}

/// Latency at a fixed rate with the outbox empty, then while it drains a backlog at Telegram's
/// pace with the fake enforcing Telegram's limits.
async fn backlog(postgres: Option<&str>, table: &mut Table, seconds: usize) -> anyhow::Result<()> {
    let replies = env_number("BENCH_BACKLOG", 5000);
    let chats = env_number("BENCH_BACKLOG_CHATS", 500).max(1);
    let rate = env_number("BENCH_BACKLOG_RATE", 100);
    let mut run = Run::start(postgres, &[]).await?;
    run.telegram.enforce_rate_limits();
    let mut next_customer: i64 = 5_000_000;
    run.at_rate(50, 1, &mut next_customer).await?;
    run.outbox_drained(Duration::from_secs(120)).await?;
    let mut phases = Vec::new();
    for with_backlog in [false, true] {
        if with_backlog {
            queue_replies(&mut run, replies, chats).await?;
        }
        let queued = run.outbox().await?;
        let (limited, sent) = (
            run.telegram.rate_limited(),
            run.telegram.bot_message_count(),
        );
        let started = Instant::now();
        let measured = run.at_rate(rate, seconds, &mut next_customer).await?;
        let limited = run.telegram.rate_limited() - limited;
        let sent_per_second =
            (run.telegram.bot_message_count() - sent) as f64 / started.elapsed().as_secs_f64();
        let what = if with_backlog {
            format!(
                "new customers offered at {rate}/s while the outbox drains {queued} queued \
                 messages at Telegram's pace ({sent_per_second:.1} sent/s meanwhile, {limited} \
                 answered 429)"
            )
        } else {
            format!(
                "new customers offered at {rate}/s, the outbox empty at the start \
                 ({sent_per_second:.1} sent/s meanwhile, {limited} answered 429)"
            )
        };
        table.row(&what, &measured, false);
        phases.push((
            measured.latency(0.5),
            measured.latency(0.99),
            queued,
            limited,
        ));
    }
    let limited_in_all = run.telegram.rate_limited();
    run.finish().await?;
    let (empty, busy) = (phases[0], phases[1]);
    table.target(
        &format!("the outbox never delays ingest: update → console at {rate}/s"),
        format!(
            "p50/p99 {:.1}/{:.1} ms while draining {} queued, {:.1}/{:.1} ms with the outbox empty",
            busy.0, busy.1, busy.2, empty.0, empty.1
        ),
        None,
    );
    table.target(
        "the outbox drains at Telegram's pace without any 429",
        format!("{limited_in_all} answered 429 (ingest bench, backlog phase)"),
        Some(limited_in_all == 0),
    );
    Ok(())
}

/// Queues `replies` agents' replies spread over `chats` tickets through the HTTP API: enough
/// Pending tickets (new customers if needed), accepted by the bench's supervisor, then replied to.
async fn queue_replies(run: &mut Run, replies: usize, chats: usize) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let base = format!("http://{}", run.server.address);
    let mut tickets = pending(&http, &base, &run.cookie).await?;
    if tickets.len() < chats {
        let first = run.offer_count();
        for i in 0..chats - tickets.len() {
            run.offer(&Customer::new(
                TelegramUserId(2_000_000 + i as i64),
                "Backlog",
                None,
            ));
        }
        run.wait(first..run.offer_count()).await?;
        tickets = pending(&http, &base, &run.cookie).await?;
    }
    tickets.truncate(chats);
    let post = |path: String, body: Option<serde_json::Value>| {
        let mut request = http
            .post(format!("{base}{path}"))
            .header("Origin", &base)
            .header("Cookie", &run.cookie);
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await?;
            anyhow::ensure!(
                response.status().is_success(),
                "POST {path}: {}",
                response.status()
            );
            Ok(())
        }
    };
    let started = Instant::now();
    futures_util::stream::iter(&tickets)
        .map(|id| post(format!("/api/tickets/{id}/accept"), None))
        .buffer_unordered(8)
        .collect::<Vec<anyhow::Result<()>>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<Vec<()>>>()?;
    futures_util::stream::iter(0..replies)
        .map(|i| {
            let id = tickets[i % tickets.len()];
            let text = serde_json::json!({ "text": format!("backlog reply {i}") });
            post(format!("/api/tickets/{id}/messages"), Some(text))
        })
        .buffer_unordered(8)
        .collect::<Vec<anyhow::Result<()>>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<Vec<()>>>()?;
    println!(
        "queued {replies} replies over {} tickets in {:.1} s",
        tickets.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The ids of the Pending tickets, every page.
async fn pending(http: &reqwest::Client, base: &str, cookie: &str) -> anyhow::Result<Vec<i64>> {
    let mut ids = Vec::new();
    let mut path = "/api/tickets?status=pending".to_owned();
    loop {
        let response = http
            .get(format!("{base}{path}"))
            .header("Cookie", cookie)
            .send()
            .await?;
        anyhow::ensure!(response.status().is_success(), "GET {path}");
        let next = response
            .headers()
            .get("x-next-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let page: Vec<serde_json::Value> = response.json().await?;
        ids.extend(page.iter().filter_map(|t| t["id"].as_i64()));
        match next {
            Some(after) if !page.is_empty() => {
                path = format!("/api/tickets?status=pending&after={after}");
            }
            _ => return Ok(ids),
        }
    }
}

fn load() -> String {
    switchboard::bench::report::load_average()
}
