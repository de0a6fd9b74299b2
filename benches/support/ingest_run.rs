//! One ingest run: the real server binary on a fresh database (a SQLite file, or a PostgreSQL
//! database dropped at the end), the fake Bot API in this process and one WebSocket console that
//! notes when each tagged customer message arrives; offers at a fixed rate or in a burst. Used by
//! `benches/ingest.rs` with `#[path = "support/ingest_run.rs"] mod ingest_run;`.
#![allow(dead_code)]

use std::{
    collections::HashMap,
    net::TcpListener,
    process::Stdio,
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use sea_orm::{ConnectionTrait, Statement};
use switchboard::{
    domain::TelegramUserId,
    simulator::{Customer, FakeTelegram},
};
use tokio::{process::Command, sync::mpsc};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

use super::{postgres::BenchDatabase, server::*};

/// Starts the server on `database_url` with `extra` settings (e.g. the outbox's pacing).
async fn start_server(
    telegram: &FakeTelegram,
    dir: TempDir,
    database_url: &str,
    extra: &[(&str, &str)],
) -> anyhow::Result<Server> {
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let cache = dir.0.join("files");
    let listen = format!("127.0.0.1:{port}");
    let cache = cache.display().to_string();
    let mut env = vec![
        ("DATABASE_URL", database_url),
        ("TELEGRAM_BOT_TOKEN", telegram.token()),
        ("TELEGRAM_API_URL", telegram.api_url().as_str()),
        ("SWITCHBOARD_LISTEN", &listen),
        ("SWITCHBOARD_FILE_CACHE_DIR", &cache),
        ("TELEGRAM_POLL_TIMEOUT", "5"),
        ("RUST_LOG", "warn"),
    ];
    env.extend_from_slice(extra);
    Server::launch(dir, port, &env).await
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

/// One server's run: the server, its database, the console's arrivals and the offers made so far.
pub struct Run {
    pub server: Server,
    pub telegram: FakeTelegram,
    pub database_url: String,
    database: Option<BenchDatabase>,
    pub cookie: String,
    arrivals: mpsc::UnboundedReceiver<(usize, Instant)>,
    console: tokio::task::JoinHandle<anyhow::Result<()>>,
    /// When each tag was offered.
    offered: Vec<Instant>,
    /// Arrivals seen for tags not yet waited for.
    early: HashMap<usize, Instant>,
}

/// What one phase measured.
pub struct Phase {
    pub updates: usize,
    pub elapsed: Duration,
    pub cpu: Duration,
    pub latencies: Vec<Duration>,
}

impl Phase {
    pub fn per_second(&self) -> f64 {
        self.updates as f64 / self.elapsed.as_secs_f64()
    }

    pub fn cpu_per_update_ms(&self) -> f64 {
        ms(self.cpu) / self.updates as f64
    }

    pub fn latency(&self, p: f64) -> f64 {
        ms(percentile(&self.latencies, p))
    }
}

impl Run {
    /// Starts the fake Bot API, the server on a fresh database (a SQLite file, or a new database
    /// on the PostgreSQL server `postgres`) with `extra` settings, and the console.
    pub async fn start(postgres: Option<&str>, extra: &[(&str, &str)]) -> anyhow::Result<Self> {
        let telegram = FakeTelegram::start("1:bench").await?;
        let dir = std::env::temp_dir().join(format!(
            "sb_bench_ingest_{}_{}",
            std::process::id(),
            switchboard::service::instance_name()
        ));
        std::fs::create_dir_all(&dir)?;
        let dir = TempDir(dir);
        let database = match postgres {
            Some(server) => Some(BenchDatabase::create(server).await?),
            None => None,
        };
        let database_url = match &database {
            Some(database) => database.url.clone(),
            None => format!("sqlite://{}?mode=rwc", dir.0.join("bench.db").display()),
        };
        let server = start_server(&telegram, dir, &database_url, extra).await?;
        let cookie = server.login().await?;
        let (opened_tx, opened) = tokio::sync::oneshot::channel();
        let (arrivals_tx, arrivals) = mpsc::unbounded_channel();
        let console = tokio::spawn(console(
            server.address.clone(),
            cookie.clone(),
            opened_tx,
            arrivals_tx,
        ));
        opened.await?;
        Ok(Self {
            server,
            telegram,
            database_url,
            database,
            cookie,
            arrivals,
            console,
            offered: Vec::new(),
            early: HashMap::new(),
        })
    }

    /// Stops the console and the server, then drops the PostgreSQL database.
    pub async fn finish(mut self) -> anyhow::Result<()> {
        self.console.abort();
        self.server.child.kill().await?;
        if let Some(database) = self.database.take() {
            database.remove().await?;
        }
        Ok(())
    }

    /// Messages in the outbox (queued or being sent), read from the database.
    pub async fn outbox(&self) -> anyhow::Result<i64> {
        let db = sea_orm::Database::connect(&self.database_url).await?;
        let count = outbox_count(&db).await;
        db.close().await?;
        count
    }

    /// Waits until the outbox is empty (at most `within`).
    pub async fn outbox_drained(&self, within: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        let db = sea_orm::Database::connect(&self.database_url).await?;
        loop {
            let left = outbox_count(&db).await?;
            if left == 0 {
                break;
            }
            anyhow::ensure!(
                started.elapsed() < within,
                "{left} messages still in the outbox after {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        db.close().await?;
        Ok(())
    }

    /// How many messages were offered so far (the next tag).
    pub fn offer_count(&self) -> usize {
        self.offered.len()
    }

    /// Offers a message from `customer`, tagged; returns its tag.
    pub fn offer(&mut self, customer: &Customer) -> usize {
        let tag = self.offered.len();
        self.offered.push(Instant::now());
        self.telegram
            .customer_says(customer, &format!("sb#{tag}. benchmark message"));
        tag
    }

    /// Waits until the console heard every tag in `tags`; their latencies and the last arrival.
    pub async fn wait(
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
    pub async fn burst(
        &mut self,
        customers: &[Customer],
        perf: Option<&str>,
    ) -> anyhow::Result<Phase> {
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
    pub async fn at_rate(
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

async fn outbox_count(db: &sea_orm::DatabaseConnection) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) FROM messages WHERE delivery IN ('queued', 'sending')",
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no count"))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}
