//! Ingest: customer messages through the fake Bot API into the real server binary (its own
//! process, a fresh database), measured at a real WebSocket console.
//!
//! Run: `cargo bench --bench ingest`. SQLite always; PostgreSQL too when `BENCH_POSTGRES_URL` (or
//! `TEST_POSTGRES_URL`) names a server (each run creates its own database). Settings:
//! - `BENCH_BURST` (default 10000): the burst of new customers, then as many follow-ups.
//! - `BENCH_RATES` (default `100,2000`) and `BENCH_RATE_SECONDS` (default 5): the fixed offered
//!   rates (new customers per second) whose update → console latency is reported.
//! - `BENCH_BACKENDS` (default `sqlite,postgres`): which backends to run.
//! - `BENCH_PERF` (a path prefix): record `perf record -g` of the server during the new-customer
//!   burst into `<prefix>-<backend>.data`.
//!
//! What is measured, per backend:
//! - Saturation: all updates of a burst are offered to the fake Telegram at once; the console
//!   notes when each customer message's `message.created` frame arrives. Throughput = updates /
//!   (last arrival − offer). Server CPU per update = the server's user+system CPU time
//!   (/proc/<pid>/stat) over that interval / updates (it includes the outbox sending the
//!   acknowledgements it gets to at Telegram's pace, 30 messages/s, in that interval).
//! - Latency: new customers offered at a fixed rate; per update, from its offer to the arrival of
//!   its `message.created` frame at the console: p50/p95/p99.

#[path = "support/server.rs"]
mod server;

use std::{
    collections::HashMap,
    net::TcpListener,
    process::Stdio,
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use sea_orm::ConnectionTrait;
use server::*;
use switchboard::{
    domain::TelegramUserId,
    simulator::{Customer, FakeTelegram},
};
use tokio::{process::Command, sync::mpsc};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

/// A fresh database for one run: a SQLite file in `dir`, or a new PostgreSQL database.
async fn database_url(postgres: Option<&str>, dir: &std::path::Path) -> anyhow::Result<String> {
    let Some(server) = postgres else {
        return Ok(format!(
            "sqlite://{}?mode=rwc",
            dir.join("bench.db").display()
        ));
    };
    let name = format!("sb_bench_{}", switchboard::service::instance_name());
    let mut admin = url::Url::parse(server)?;
    admin.set_path("postgres");
    let db = sea_orm::Database::connect(admin.as_str()).await?;
    db.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await?;
    db.close().await?;
    let mut url = admin.clone();
    url.set_path(&name);
    Ok(url.to_string())
}

impl Server {
    async fn start(telegram: &FakeTelegram, postgres: Option<&str>) -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!(
            "sb_bench_ingest_{}_{}",
            std::process::id(),
            postgres.is_some()
        ));
        std::fs::create_dir_all(&dir)?;
        let dir = TempDir(dir);
        let database_url = database_url(postgres, &dir.0).await?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let cache = dir.0.join("files");
        let env = [
            ("DATABASE_URL", database_url.as_str()),
            ("TELEGRAM_BOT_TOKEN", telegram.token()),
            ("TELEGRAM_API_URL", telegram.api_url().as_str()),
            ("SWITCHBOARD_LISTEN", &format!("127.0.0.1:{port}")),
            ("SWITCHBOARD_FILE_CACHE_DIR", &cache.display().to_string()),
            ("TELEGRAM_POLL_TIMEOUT", "5"),
            ("RUST_LOG", "warn"),
        ];
        Self::launch(dir, port, &env).await
    }
}

/// Opens a console, reads its hello, then reports the tag (`sbN.`) of each `message.created`
/// frame with its arrival time until the socket ends.
async fn console(
    address: String,
    cookie: String,
    opened: tokio::sync::oneshot::Sender<()>,
    arrivals: mpsc::UnboundedSender<(usize, Instant)>,
) -> anyhow::Result<()> {
    let mut request = format!("ws://{address}/ws").into_client_request()?;
    let headers = request.headers_mut();
    headers.insert("Origin", format!("http://{address}").parse()?);
    headers.insert("Cookie", cookie.parse()?);
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await?;
    let hello = ws
        .next()
        .await
        .ok_or_else(|| anyhow::anyhow!("no hello"))??;
    anyhow::ensure!(
        hello.to_text()?.contains("\"hello\""),
        "first frame: {hello}"
    );
    let _ = opened.send(());
    while let Some(frame) = ws.next().await {
        let at = Instant::now();
        let text = match frame? {
            Message::Text(text) => text,
            Message::Close(close) => anyhow::bail!("the console was closed: {close:?}"),
            _ => continue,
        };
        if !text.contains("\"message.created\"") {
            continue;
        }
        let tag = text
            .split("sb#")
            .nth(1)
            .and_then(|rest| rest.split('.').next())
            .and_then(|n| n.parse().ok());
        if let Some(tag) = tag {
            let _ = arrivals.send((tag, at));
        }
    }
    Ok(())
}

/// One backend's run: the server, the console's arrivals and the offers made so far.
struct Run {
    server: Server,
    telegram: FakeTelegram,
    arrivals: mpsc::UnboundedReceiver<(usize, Instant)>,
    console: tokio::task::JoinHandle<anyhow::Result<()>>,
    /// When each tag was offered.
    offered: Vec<Instant>,
    /// Arrivals seen for tags not yet waited for.
    early: HashMap<usize, Instant>,
}

/// What one phase measured.
struct Phase {
    updates: usize,
    elapsed: Duration,
    cpu: Duration,
    latencies: Vec<Duration>,
}

impl Phase {
    fn per_second(&self) -> f64 {
        self.updates as f64 / self.elapsed.as_secs_f64()
    }

    fn cpu_per_update_ms(&self) -> f64 {
        ms(self.cpu) / self.updates as f64
    }

    fn latency(&self, p: f64) -> f64 {
        ms(percentile(&self.latencies, p))
    }
}

impl Run {
    async fn start(postgres: Option<&str>) -> anyhow::Result<Self> {
        let telegram = FakeTelegram::start("1:bench").await?;
        let server = Server::start(&telegram, postgres).await?;
        let cookie = server.login().await?;
        let (opened_tx, opened) = tokio::sync::oneshot::channel();
        let (arrivals_tx, arrivals) = mpsc::unbounded_channel();
        let console = tokio::spawn(console(
            server.address.clone(),
            cookie,
            opened_tx,
            arrivals_tx,
        ));
        opened.await?;
        Ok(Self {
            server,
            telegram,
            arrivals,
            console,
            offered: Vec::new(),
            early: HashMap::new(),
        })
    }

    /// Offers a message from `customer`, tagged; returns its tag.
    fn offer(&mut self, customer: &Customer) -> usize {
        let tag = self.offered.len();
        self.offered.push(Instant::now());
        self.telegram
            .customer_says(customer, &format!("sb#{tag}. benchmark message"));
        tag
    }

    /// Waits until the console heard every tag in `tags`; their latencies and the last arrival.
    async fn wait(
        &mut self,
        tags: std::ops::Range<usize>,
    ) -> anyhow::Result<(Vec<Duration>, Instant)> {
        let mut latencies = Vec::with_capacity(tags.len());
        let mut last = Instant::now();
        let mut missing: std::collections::HashSet<usize> = tags.clone().collect();
        for tag in tags.clone() {
            if let Some(at) = self.early.remove(&tag) {
                missing.remove(&tag);
                latencies.push(at - self.offered[tag]);
                last = at;
            }
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(300);
        while !missing.is_empty() {
            match tokio::time::timeout_at(deadline, self.arrivals.recv()).await {
                Ok(Some((tag, at))) if missing.remove(&tag) => {
                    latencies.push(at - self.offered[tag]);
                    last = last.max(at);
                }
                Ok(Some((tag, at))) => {
                    if !tags.contains(&tag) {
                        self.early.insert(tag, at);
                    }
                }
                Ok(None) => {
                    let ended = (&mut self.console).await;
                    anyhow::bail!("the console ended: {ended:?}");
                }
                Err(_) => anyhow::bail!("{} updates never reached the console", missing.len()),
            }
        }
        latencies.sort_unstable();
        Ok((latencies, last))
    }

    /// Offers one message from each customer at once and waits until all reached the console.
    async fn burst(&mut self, customers: &[Customer], perf: Option<&str>) -> anyhow::Result<Phase> {
        let recorder = match perf {
            Some(path) => Some(
                Command::new("perf")
                    .args(["record", "-g", "-o", path, "-p"])
                    .arg(self.server.pid.to_string())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()?,
            ),
            None => None,
        };
        if recorder.is_some() {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let cpu = self.server.cpu()?;
        let first = self.offered.len();
        let started = Instant::now();
        for customer in customers {
            self.offer(customer);
        }
        let (latencies, last) = self.wait(first..self.offered.len()).await?;
        let cpu = self.server.cpu()? - cpu;
        if let Some(mut recorder) = recorder {
            if let Some(pid) = recorder.id() {
                rustix::process::kill_process(
                    rustix::process::Pid::from_raw(pid as i32).expect("a pid"),
                    rustix::process::Signal::INT,
                )
                .map_err(|errno| anyhow::anyhow!("stopping perf: {errno:?}"))?;
            }
            recorder.wait().await?;
        }
        Ok(Phase {
            updates: customers.len(),
            elapsed: last - started,
            cpu,
            latencies,
        })
    }

    /// Offers new customers' first messages at `rate` per second for `seconds`.
    async fn at_rate(
        &mut self,
        rate: usize,
        seconds: usize,
        next_customer: &mut i64,
    ) -> anyhow::Result<Phase> {
        let total = rate * seconds;
        let cpu = self.server.cpu()?;
        let first = self.offered.len();
        let started = Instant::now();
        let mut sent = 0;
        let mut tick = tokio::time::interval(Duration::from_millis(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        while sent < total {
            tick.tick().await;
            let due = ((started.elapsed().as_secs_f64() * rate as f64) as usize).min(total);
            while sent < due {
                let customer = Customer::new(TelegramUserId(*next_customer), "Rate", None);
                *next_customer += 1;
                self.offer(&customer);
                sent += 1;
            }
        }
        let (latencies, last) = self.wait(first..self.offered.len()).await?;
        let cpu = self.server.cpu()? - cpu;
        Ok(Phase {
            updates: total,
            elapsed: last - started,
            cpu,
            latencies,
        })
    }
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let burst = env_number("BENCH_BURST", 10_000);
    let rates = env_list("BENCH_RATES", &[100, 2000]);
    let rate_seconds = env_number("BENCH_RATE_SECONDS", 5);
    let backends = std::env::var("BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let postgres_url = std::env::var("BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("TEST_POSTGRES_URL"))
        .ok();
    let perf = std::env::var("BENCH_PERF").ok();
    let mut table = Vec::new();
    println!("load average at the start: {}", load());
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
        let mut run = Run::start(postgres).await?;
        println!("{name}: server pid {}", run.server.pid);
        // Warm-up: a few tickets, not counted.
        let mut next_customer: i64 = 5_000_000;
        run.at_rate(50, 1, &mut next_customer).await?;
        for &rate in &rates {
            let phase = run.at_rate(rate, rate_seconds, &mut next_customer).await?;
            table.push(format!(
                "| {name} | new customers offered at {rate}/s ({} updates) | {:.0}/s | {:.1} | {:.1} | {:.1} | {:.3} |",
                phase.updates,
                phase.per_second(),
                phase.latency(0.5),
                phase.latency(0.95),
                phase.latency(0.99),
                phase.cpu_per_update_ms(),
            ));
            println!("{}", table.last().expect("a row"));
        }
        let customers: Vec<Customer> = (0..burst)
            .map(|i| Customer::new(TelegramUserId(1_000_000 + i as i64), "Burst", None))
            .collect();
        let perf_path = perf.as_ref().map(|p| format!("{p}-{backend}.data"));
        for (what, perf) in [
            ("burst of new customers", perf_path.as_deref()),
            ("burst of follow-ups", None),
        ] {
            let phase = run.burst(&customers, perf).await?;
            table.push(format!(
                "| {name} | {what} ({} updates) | **{:.0}/s** | {:.1} | {:.1} | {:.1} | {:.3} |",
                phase.updates,
                phase.per_second(),
                phase.latency(0.5),
                phase.latency(0.95),
                phase.latency(0.99),
                phase.cpu_per_update_ms(),
            ));
            println!("{}", table.last().expect("a row"));
        }
        run.console.abort();
        run.server.child.kill().await?;
    }
    println!("load average at the end: {}", load());
    println!();
    println!(
        "| backend | phase | updates/s to the console | p50 ms | p95 ms | p99 ms | server CPU ms/update |"
    );
    println!("|---|---|---|---|---|---|---|");
    for row in &table {
        println!("{row}");
    }
    Ok(())
}
