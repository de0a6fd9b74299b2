//! `switchboard bench queues`: a black-box benchmark of a (seeded) database. It starts this very
//! binary as `serve` (one or more instances on the same database, the bot pointed at the in-repo
//! fake Bot API), times start-up until `/healthz` answers, reads the idle RSS from
//! `/proc/<pid>/status`, then times the console's queue and search requests through the HTTP API
//! and 100 concurrent accepts of one ticket. It prints one Markdown table.

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::Context;
use reqwest::{Client, header};

use crate::{seed::SEED_PASSWORD, simulator::FakeTelegram};

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub database_url: String,
    /// Requests per query kind.
    pub requests: usize,
    /// Server instances (accepts are spread over them).
    pub instances: usize,
    /// Only start-up and idle RSS (for an empty database).
    pub startup_only: bool,
}

/// The path of a measured request, from the request's index.
type PathOf = Box<dyn Fn(usize) -> String>;

/// One started server.
struct Server {
    child: Child,
    base: String,
    startup: Duration,
}

/// Runs the benchmark and prints its table.
pub async fn queues(options: &BenchOptions) -> anyhow::Result<()> {
    let fake = FakeTelegram::start("123456:BENCH-token").await?;
    let mut servers = Vec::new();
    for _ in 0..options.instances.max(1) {
        servers.push(start(&options.database_url, &fake).await?);
    }
    let mut rows = Vec::new();
    for (k, s) in servers.iter().enumerate() {
        rows.push(format!(
            "| start-up to /healthz (instance {}) | {:.0} ms | | |",
            k + 1,
            s.startup.as_secs_f64() * 1000.0
        ));
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pid = servers[0].child.id();
    rows.push(format!("| idle RSS | {} | | |", rss(pid)?));
    if !options.startup_only {
        let result = measure(options, &servers, &mut rows).await;
        if let Err(error) = result {
            eprintln!("bench: {error:#}");
        }
    }
    for mut s in servers {
        let _ = s.child.kill();
        let _ = s.child.wait();
    }
    println!("| measure | p50 | p95 | p99 |");
    println!("|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    Ok(())
}

async fn start(database_url: &str, fake: &FakeTelegram) -> anyhow::Result<Server> {
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let child = Command::new(std::env::current_exe()?)
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("TELEGRAM_BOT_TOKEN", fake.token())
        .env("TELEGRAM_API_URL", fake.api_url().as_str())
        .env("SWITCHBOARD_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .context("starting the server")?;
    let client = Client::new();
    loop {
        let ok = client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if ok {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(120),
            "the server did not answer"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(Server {
        child,
        base,
        startup: started.elapsed(),
    })
}

fn rss(pid: u32) -> anyhow::Result<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("VmRSS")?;
    Ok(format!("{:.1} MiB", kb / 1024.0))
}

/// A logged-in console: the session cookie and the origin state changes need.
#[derive(Clone)]
struct Console {
    client: Client,
    base: String,
    cookie: String,
}

impl Console {
    async fn login(base: &str, login: &str) -> anyhow::Result<Self> {
        let client = Client::new();
        let response = client
            .post(format!("{base}/api/session"))
            .header(header::ORIGIN, base)
            .json(&serde_json::json!({"login": login, "password": SEED_PASSWORD}))
            .send()
            .await?;
        anyhow::ensure!(
            response.status().is_success(),
            "login {login}: {}",
            response.status()
        );
        let cookie = response
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .context("session cookie")?
            .to_owned();
        Ok(Self {
            client,
            base: base.to_owned(),
            cookie,
        })
    }

    /// GETs `path`; the time taken, the `X-Next-After`/`X-Next-Before` header and the body.
    async fn get(
        &self,
        path: &str,
    ) -> anyhow::Result<(Duration, Option<String>, serde_json::Value)> {
        let started = Instant::now();
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header(header::COOKIE, &self.cookie)
            .send()
            .await?;
        let status = response.status();
        let next = ["x-next-after", "x-next-before"]
            .iter()
            .find_map(|h| response.headers().get(*h))
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body: serde_json::Value = response.json().await?;
        let took = started.elapsed();
        anyhow::ensure!(status.is_success(), "GET {path}: {status} {body}");
        Ok((took, next, body))
    }

    async fn accept(&self, ticket: i64) -> anyhow::Result<(Duration, u16)> {
        let started = Instant::now();
        let response = self
            .client
            .post(format!("{}/api/tickets/{ticket}/accept", self.base))
            .header(header::COOKIE, &self.cookie)
            .header(header::ORIGIN, &self.base)
            .send()
            .await?;
        let status = response.status().as_u16();
        let _ = response.bytes().await?;
        Ok((started.elapsed(), status))
    }
}

async fn measure(
    options: &BenchOptions,
    servers: &[Server],
    rows: &mut Vec<String>,
) -> anyhow::Result<()> {
    let base = &servers[0].base;
    let agent = Console::login(base, "agent-general-1").await?;
    let supervisor = Console::login(base, "supervisor").await?;
    let n = options.requests;

    // The Pending queue: the first page, and a page 20 pages deep.
    let mut deep = String::new();
    let mut path = "/api/tickets?status=pending&limit=50".to_owned();
    for _ in 0..20 {
        let (_, next, _) = supervisor.get(&path).await?;
        let Some(after) = next else { break };
        deep = format!("/api/tickets?status=pending&limit=50&after={after}");
        path.clone_from(&deep);
    }
    let (_, _, any) = supervisor.get("/api/tickets?status=all&limit=1").await?;
    let newest = any[0]["id"].as_i64().context("a ticket")?;
    let clients = newest / 2;
    let cases: Vec<(&str, &Console, PathOf)> = vec![
        (
            "Pending queue, first page (agent)",
            &agent,
            Box::new(|_| "/api/tickets?status=pending&limit=50".to_owned()),
        ),
        (
            "Pending queue, first page (supervisor)",
            &supervisor,
            Box::new(|_| "/api/tickets?status=pending&limit=50".to_owned()),
        ),
        (
            "Pending queue, 20 pages deep (supervisor)",
            &supervisor,
            Box::new(move |_| deep.clone()),
        ),
        (
            "Accepted queue: own and department's (agent)",
            &agent,
            Box::new(|_| "/api/tickets?status=accepted".to_owned()),
        ),
        (
            "a client's history",
            &supervisor,
            Box::new(move |k| {
                format!(
                    "/api/tickets?status=all&client_id={}",
                    1 + (k as i64 * 7_919) % clients
                )
            }),
        ),
        (
            "search: ticket number / client id",
            &supervisor,
            Box::new(move |k| format!("/api/tickets?q={}", 1 + (k as i64 * 104_729) % newest)),
        ),
        (
            "search: @username",
            &supervisor,
            Box::new(move |k| {
                format!("/api/tickets?q=%40user{}", 1 + (k as i64 * 7_919) % clients)
            }),
        ),
        (
            "search: username without @ (also text)",
            &supervisor,
            Box::new(move |k| format!("/api/tickets?q=user{}", 1 + (k as i64 * 7_919) % clients)),
        ),
        (
            "search: text, a rare word (agent)",
            &agent,
            Box::new(|k| format!("/api/tickets?q={}", rare_word(k))),
        ),
        (
            "search: text, a rare word (supervisor)",
            &supervisor,
            Box::new(|k| format!("/api/tickets?q={}", rare_word(k))),
        ),
        (
            "search: text, order number",
            &supervisor,
            Box::new(move |k| {
                format!(
                    "/api/tickets?q=order%20{}",
                    (1 + (k as i64 * 104_729) % newest) * 7_919 % 1_000_003
                )
            }),
        ),
        (
            "search: text, two common words",
            &supervisor,
            Box::new(|_| "/api/tickets?q=refund%20urgent".to_owned()),
        ),
        (
            "search: text, one common word",
            &supervisor,
            Box::new(|_| "/api/tickets?q=refund".to_owned()),
        ),
    ];
    for (name, console, path) in cases {
        let mut times = Vec::with_capacity(n);
        let mut found = 0usize;
        for k in 0..n {
            let (took, _, body) = console.get(&path(k)).await?;
            found += body.as_array().map_or(0, Vec::len);
            times.push(took);
        }
        rows.push(row(
            &format!("{name} ({} rows/page avg)", found / n.max(1)),
            &mut times,
        ));
    }
    accepts(servers, rows).await
}

/// A word of the seed's rarer vocabulary (see `seed`), different for each `k`.
fn rare_word(k: usize) -> String {
    crate::seed::rare_word(k * 7 % 20_000)
}

/// 100 concurrent accepts of one Pending ticket, five times, spread over the instances.
async fn accepts(servers: &[Server], rows: &mut Vec<String>) -> anyhow::Result<()> {
    let mut consoles = Vec::new();
    for s in servers {
        for k in 1..=5 {
            consoles.push(Console::login(&s.base, &format!("agent-general-{k}")).await?);
        }
    }
    let (_, _, pending) = consoles[0]
        .get("/api/tickets?status=pending&limit=5")
        .await?;
    let mut times = Vec::new();
    let mut won = 0;
    for ticket in pending.as_array().context("pending")? {
        let id = ticket["id"].as_i64().context("id")?;
        let tasks: Vec<_> = (0..100)
            .map(|k| {
                let c = consoles[k % consoles.len()].clone();
                tokio::spawn(async move { c.accept(id).await })
            })
            .collect();
        for task in tasks {
            let (took, status) = task.await??;
            won += usize::from(status == 200);
            times.push(took);
        }
    }
    rows.push(row(
        &format!(
            "100 concurrent accepts of one ticket by 5 agents per instance × {} tickets, {} instance(s); {won} answered 200 (the winner's repeats are 200 too)",
            times.len() / 100,
            servers.len()
        ),
        &mut times,
    ));
    Ok(())
}

fn row(name: &str, times: &mut [Duration]) -> String {
    times.sort();
    let at = |q: f64| {
        let k = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len().max(1)) - 1;
        times.get(k).map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    format!(
        "| {name} | {:.2} ms | {:.2} ms | {:.2} ms |",
        at(0.50),
        at(0.95),
        at(0.99)
    )
}
