//! `switchboard bench queues`: a black-box benchmark of a (seeded) database. It starts this very
//! binary as `serve` (one or more instances on the same database, the bot pointed at the in-repo
//! fake Bot API), times start-up until `/healthz` answers, reads the idle RSS from
//! `/proc/<pid>/status`, then times the console's queue and search requests through the HTTP API
//! and 100 concurrent accepts of one ticket. It prints one Markdown table and writes it, with the
//! machine, the command and the date, into `docs/benchmarks.md` (see [`report`]).

pub mod report;

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::Context;
use reqwest::{Client, header};

use crate::{seed::SEED_PASSWORD, simulator::FakeTelegram};
use report::{Report, Target};

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

/// What the run measured: the table's rows and the issue-11 targets they report.
struct Measured {
    /// The backend and database size, as the targets name them.
    scope: String,
    rows: Vec<String>,
    targets: Vec<Target>,
    /// The newest ticket's id (about the seeded tickets' count), once read.
    tickets: Option<i64>,
}

impl Measured {
    /// Adds a row of latencies; with a target named `target`, its p99 against `limit_ms`.
    fn latencies(&mut self, name: &str, times: &mut [Duration], target: Option<(&str, f64)>) {
        let (row, p99) = row(name, times);
        self.rows.push(row);
        if let Some((target, limit)) = target {
            self.targets.push(Target::new(
                format!("{target} ({})", self.scope),
                format!("p99 {p99:.2} ms"),
                Some(p99 <= limit),
            ));
        }
    }
}

/// Runs the benchmark, prints its table and writes it into the benchmarks page.
pub async fn queues(options: &BenchOptions) -> anyhow::Result<()> {
    let backend = if options.database_url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    let instances = options.instances.max(1);
    let (key, title) = match (options.startup_only, instances) {
        (true, _) => (
            format!("startup:{backend}"),
            format!("switchboard bench queues --startup-only ({backend})"),
        ),
        (false, 1) => (
            format!("queues:{backend}"),
            format!("switchboard bench queues ({backend})"),
        ),
        (false, n) => (
            format!("queues:{backend}:{n}-instances"),
            format!("switchboard bench queues ({backend}, {n} instances)"),
        ),
    };
    let report = Report::begin(key, title);
    let fake = FakeTelegram::start("123456:BENCH-token").await?;
    let mut servers = Vec::new();
    for _ in 0..instances {
        servers.push(start(&options.database_url, &fake).await?);
    }
    let size = if options.startup_only {
        "empty database"
    } else {
        "seeded database"
    };
    let mut measured = Measured {
        scope: format!("{backend}, {size}"),
        rows: Vec::new(),
        targets: Vec::new(),
        tickets: None,
    };
    for (k, s) in servers.iter().enumerate() {
        let startup = s.startup.as_secs_f64() * 1000.0;
        measured.rows.push(format!(
            "| start-up to /healthz (instance {}) | {startup:.0} ms | | |",
            k + 1,
        ));
        if k == 0 {
            let limit = if options.startup_only { 1000.0 } else { 2000.0 };
            measured.targets.push(Target::new(
                format!("start-up ≤{:.0} s ({})", limit / 1000.0, measured.scope),
                format!("{startup:.0} ms"),
                Some(startup <= limit),
            ));
        }
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pid = servers[0].child.id();
    let idle = rss_mib(pid)?;
    measured
        .rows
        .push(format!("| idle RSS | {idle:.1} MiB | | |"));
    measured.targets.push(Target::new(
        format!("idle RSS ≤20 MiB ({})", measured.scope),
        format!("{idle:.1} MiB"),
        Some(idle <= 20.0),
    ));
    let mut failed = None;
    if !options.startup_only
        && let Err(error) = measure(options, &servers, &mut measured).await
    {
        eprintln!("bench: {error:#}");
        failed = Some(error);
    }
    for mut s in servers {
        let _ = s.child.kill();
        let _ = s.child.wait();
    }
    let mut table = "| measure | p50 | p95 | p99 |\n|---|---|---|---|\n".to_owned();
    for row in &measured.rows {
        table.push_str(row);
        table.push('\n');
    }
    print!("{table}");
    let mut notes = format!(
        "Database: `{}`, {} instance(s)",
        report::redact(&options.database_url),
        instances
    );
    if let Some(tickets) = measured.tickets {
        notes.push_str(&format!(", newest ticket #{tickets}"));
    }
    notes.push('.');
    if let Some(error) = &failed {
        notes.push_str(&format!(" The run stopped early: {error:#}"));
    }
    report.publish(&table, &notes, &measured.targets)?;
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

fn rss_mib(pid: u32) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("VmRSS")?;
    Ok(kb / 1024.0)
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
    measured: &mut Measured,
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
    measured.tickets = Some(newest);
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
        measured.latencies(
            &format!("{name} ({} rows/page avg)", found / n.max(1)),
            &mut times,
            Some((&format!("{name} p99 ≤10 ms"), 10.0)),
        );
    }
    accepts(servers, measured).await
}

/// A word of the seed's rarer vocabulary (see `seed`), different for each `k`.
fn rare_word(k: usize) -> String {
    crate::seed::rare_word(k * 7 % 20_000)
}

/// 100 concurrent accepts of one Pending ticket, five times, spread over the instances.
async fn accepts(servers: &[Server], measured: &mut Measured) -> anyhow::Result<()> {
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
    measured.latencies(
        &format!(
            "100 concurrent accepts of one ticket by 5 agents per instance × {} tickets, {} instance(s); {won} answered 200 (the winner's repeats are 200 too)",
            times.len() / 100,
            servers.len()
        ),
        &mut times,
        Some((
            &format!(
                "100 concurrent accepts of one ticket p99 ≤50 ms, {} instance(s)",
                servers.len()
            ),
            50.0,
        )),
    );
    Ok(())
}

/// A table row of `times`' p50, p95 and p99, and the p99 in milliseconds.
fn row(name: &str, times: &mut [Duration]) -> (String, f64) {
    times.sort();
    let at = |q: f64| {
        let k = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len().max(1)) - 1;
        times.get(k).map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    let row = format!(
        "| {name} | {:.2} ms | {:.2} ms | {:.2} ms |",
        at(0.50),
        at(0.95),
        at(0.99)
    );
    (row, at(0.99))
}
