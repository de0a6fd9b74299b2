//! Light sockets: what an idle console costs the server, and how fast one event reaches 1,000
//! consoles. The real server binary runs as its own process (so its resident memory is its own),
//! talking to the fake Bot API in this process; the consoles are tokio-tungstenite clients here.
//!
//! Run: `cargo bench --bench sockets`. Settings (environment):
//! - `BENCH_CONSOLES` (default `1000,10000`): the idle-console counts whose memory is reported.
//! - `BENCH_FANOUT_CONSOLES` (default 1000) and `BENCH_ROUNDS` (default 30): the fan-out run.
//! - `BENCH_SETTLE_MS` (default 3000): how long to let the server settle before reading its memory.
//! - `BENCH_SERVER` (default: the binary cargo built): the server binary to run.
//!
//! Memory: the server's VmRSS (from /proc/<pid>/status) with N idle consoles minus its VmRSS
//! before the first console, divided by N. Fan-out: a customer's message through the fake Bot API
//! is ingested by the real bot, committed and published; each console notes when its
//! `message.created` frame arrived. Reported per round and over all rounds: from the message
//! offered to Telegram to its arrival at each console (p50/p99/max), the time to the first
//! console, and the fan-out proper, from the first console's arrival to each other console's;
//! with the CPU time and context switches of the server and of this process per round, and the
//! frames each console read per round. Each console notes its arrival itself (the instant right
//! after the frame was read), so that the benchmark's own task is woken once per round.
//!
//! The summary table goes into `docs/benchmarks.md` (section `bench:sockets`; `BENCH_DOC` as in
//! `switchboard::bench::report`).

#[path = "support/server.rs"]
mod server;

use std::{
    net::TcpListener,
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use server::*;
use switchboard::{
    bench::report::Report,
    domain::TelegramUserId,
    simulator::{Customer, FakeTelegram},
};
use tokio::{sync::mpsc, task::JoinSet};
use tokio_tungstenite::tungstenite::{
    Message, client::IntoClientRequest, protocol::WebSocketConfig,
};

impl Server {
    async fn start(telegram: &FakeTelegram, max_consoles: usize) -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!("sb_bench_sockets_{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let dir = TempDir(dir);
        let database_url = format!("sqlite://{}?mode=rwc", dir.0.join("bench.db").display());
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let limit = (max_consoles + 100).to_string();
        let env = [
            ("DATABASE_URL", database_url.as_str()),
            ("TELEGRAM_BOT_TOKEN", telegram.token()),
            ("TELEGRAM_API_URL", telegram.api_url().as_str()),
            ("SWITCHBOARD_LISTEN", &format!("127.0.0.1:{port}")),
            ("SWITCHBOARD_WS_TOTAL", &limit),
            ("SWITCHBOARD_WS_PER_AGENT", &limit),
            ("SWITCHBOARD_MAX_CONNECTIONS", &limit),
            ("TELEGRAM_POLL_TIMEOUT", "5"),
            ("RUST_LOG", "warn"),
        ];
        Self::launch(dir, port, &env).await
    }
}

/// The arrivals of the round being measured, noted by the consoles themselves: each adds the
/// instant its frame was read, and the one that completes the round wakes the benchmark. (A
/// channel to the benchmark's task woke that task for nearly every arrival, on the same two
/// cores the consoles read on.)
#[derive(Default)]
struct Arrivals {
    /// The round being measured, and the instants its frame was read so far.
    round: std::sync::Mutex<(usize, Vec<Instant>)>,
    /// How many arrivals complete the round.
    expected: std::sync::atomic::AtomicUsize,
    complete: tokio::sync::Notify,
    /// Text frames the consoles read, of any type.
    frames: std::sync::atomic::AtomicUsize,
}

impl Arrivals {
    /// Notes that a console read the frame of `round` at `at`.
    fn note(&self, round: usize, at: Instant) {
        let mut current = self.round.lock().expect("not poisoned");
        if current.0 != round {
            return;
        }
        current.1.push(at);
        if current.1.len() == self.expected.load(std::sync::atomic::Ordering::Acquire) {
            self.complete.notify_one();
        }
    }

    /// Starts noting the arrivals of `round`, of which `expected` complete it.
    fn start(&self, round: usize, expected: usize) {
        self.expected
            .store(expected, std::sync::atomic::Ordering::Release);
        *self.round.lock().expect("not poisoned") = (round, Vec::with_capacity(expected));
    }

    /// The arrivals of the round, once all came or `deadline` passed.
    async fn wait(&self, deadline: tokio::time::Instant) -> Vec<Instant> {
        let expected = self.expected.load(std::sync::atomic::Ordering::Acquire);
        loop {
            let complete = self.complete.notified();
            let noted = self.round.lock().expect("not poisoned").1.len();
            if noted >= expected || tokio::time::timeout_at(deadline, complete).await.is_err() {
                return std::mem::take(&mut self.round.lock().expect("not poisoned").1);
            }
        }
    }
}

/// Opens one console, reads its hello, then reads frames until aborted, reporting each
/// `message.created` frame's round (the number after `round-` in its text).
async fn console(
    address: String,
    cookie: String,
    opened: mpsc::UnboundedSender<()>,
    arrivals: std::sync::Arc<Arrivals>,
) -> anyhow::Result<()> {
    let mut request = format!("ws://{address}/ws").into_client_request()?;
    let headers = request.headers_mut();
    headers.insert("Origin", format!("http://{address}").parse()?);
    headers.insert("Cookie", cookie.parse()?);
    // Small client buffers: ten thousand of these live in this process.
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let (mut ws, _) =
        tokio_tungstenite::connect_async_with_config(request, Some(config), true).await?;
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
        let Message::Text(text) = frame? else {
            continue;
        };
        arrivals
            .frames
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if !text.contains("\"message.created\"") && !text.contains("\"note.created\"") {
            continue;
        }
        let round = text
            .split("round-")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok());
        if let Some(round) = round {
            arrivals.note(round, at);
        }
    }
    let _ = ws.close(None).await;
    Ok(())
}

/// Consoles kept open, with where they note their arrivals.
struct Consoles {
    tasks: JoinSet<anyhow::Result<()>>,
    arrivals: std::sync::Arc<Arrivals>,
}

impl Consoles {
    fn new() -> Self {
        Self {
            tasks: JoinSet::new(),
            arrivals: std::sync::Arc::default(),
        }
    }

    /// Opens consoles until `total` are open, at most 64 handshakes at a time.
    async fn open_until(
        &mut self,
        server: &Server,
        cookie: &str,
        total: usize,
    ) -> anyhow::Result<()> {
        let (opened_tx, mut opened) = mpsc::unbounded_channel();
        let want = total.saturating_sub(self.tasks.len());
        let mut started = 0;
        let mut done = 0;
        while done < want {
            while started < want && started - done < 64 {
                self.tasks.spawn(console(
                    server.address.clone(),
                    cookie.to_owned(),
                    opened_tx.clone(),
                    self.arrivals.clone(),
                ));
                started += 1;
            }
            tokio::select! {
                Some(()) = opened.recv() => done += 1,
                Some(ended) = self.tasks.join_next() => {
                    anyhow::bail!("a console ended while opening: {:?}", ended?.err());
                }
            }
        }
        Ok(())
    }

    fn len(&self) -> usize {
        self.tasks.len()
    }

    /// How many text frames the consoles read so far.
    fn frames(&self) -> usize {
        self.arrivals
            .frames
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// What a process has used so far: CPU time in user and kernel mode (clock ticks of 10 ms) and
/// context switches, summed over its threads.
#[derive(Clone, Copy, Default)]
struct Usage {
    user_ticks: u64,
    system_ticks: u64,
    switches: u64,
}

impl Usage {
    /// The usage of process `pid` (`self` for this one), from `/proc`.
    fn of(pid: &str) -> Self {
        let mut usage = Self::default();
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // Fields after the command name (which may hold spaces): state is field 3, utime 14.
            let fields: Vec<&str> = stat
                .rsplit_once(')')
                .map_or("", |(_, rest)| rest)
                .split_whitespace()
                .collect();
            usage.user_ticks = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0);
            usage.system_ticks = fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
        }
        if let Ok(threads) = std::fs::read_dir(format!("/proc/{pid}/task")) {
            for thread in threads.flatten() {
                let status =
                    std::fs::read_to_string(thread.path().join("status")).unwrap_or_default();
                usage.switches += status
                    .lines()
                    .filter_map(|l| {
                        l.strip_prefix("voluntary_ctxt_switches:")
                            .or_else(|| l.strip_prefix("nonvoluntary_ctxt_switches:"))
                    })
                    .filter_map(|v| v.trim().parse::<u64>().ok())
                    .sum::<u64>();
            }
        }
        usage
    }

    /// Per round since `before`: "user X ms + system Y ms, Z context switches".
    fn per_round_since(&self, before: &Self, rounds: usize) -> String {
        let per = |now: u64, then: u64| (now - then) as f64 * 10.0 / rounds as f64;
        format!(
            "user {:.1} ms + system {:.1} ms, {:.0} context switches",
            per(self.user_ticks, before.user_ticks),
            per(self.system_ticks, before.system_ticks),
            (self.switches - before.switches) as f64 / rounds as f64,
        )
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let counts = env_list("BENCH_CONSOLES", &[1000, 10_000]);
    let fanout = env_number("BENCH_FANOUT_CONSOLES", 1000);
    let rounds = env_number("BENCH_ROUNDS", 30);
    let settle = Duration::from_millis(env_number("BENCH_SETTLE_MS", 3000) as u64);
    let most = counts.iter().copied().max().unwrap_or(0).max(fanout);

    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    let want = (most as u64 + 1000).min(limit.maximum.unwrap_or(u64::MAX));
    rustix::process::setrlimit(
        rustix::process::Resource::Nofile,
        rustix::process::Rlimit {
            current: Some(want),
            maximum: limit.maximum,
        },
    )
    .map_err(|errno| anyhow::anyhow!("raising the open-file limit: {errno:?}"))?;

    let report = Report::begin("sockets", "light sockets (`benches/sockets.rs`)");
    let mut table = vec!["| measure | figure |".to_owned(), "|---|---|".to_owned()];
    let telegram = FakeTelegram::start("1:bench").await?;
    let mut server = Server::start(&telegram, most).await?;
    let cookie = server.login().await?;
    println!(
        "server pid {}; load average {}",
        server.pid,
        std::fs::read_to_string("/proc/loadavg")?.trim()
    );

    // Memory of idle consoles.
    let mut consoles = Consoles::new();
    // One console opened and left open first, so that the baseline includes what the first
    // connection warms up (runtime, database pool, the agent's presence row).
    consoles.open_until(&server, &cookie, 1).await?;
    let baseline = server.settled_rss_kib(settle).await?;
    println!("baseline: {baseline} KiB with 1 console");
    table.push(format!("| server VmRSS with 1 console | {baseline} KiB |"));
    for &count in &counts {
        let opening = Instant::now();
        consoles.open_until(&server, &cookie, count).await?;
        let opened_in = opening.elapsed();
        let rss = server.settled_rss_kib(settle).await?;
        let added = (count - 1) as f64;
        let per_console = (rss.saturating_sub(baseline)) as f64 / added;
        println!(
            "{count} idle consoles (opened in {:.1} s): server VmRSS {rss} KiB, {per_console:.1} KiB per console",
            opened_in.as_secs_f64(),
        );
        table.push(format!(
            "| {count} idle consoles (opened in {:.1} s) | server VmRSS {rss} KiB, **{per_console:.1} KiB per console** |",
            opened_in.as_secs_f64(),
        ));
    }

    // Fan-out to `fanout` consoles: close the rest.
    let mut kept = Consoles::new();
    consoles.tasks.abort_all();
    while consoles.tasks.join_next().await.is_some() {}
    drop(consoles);
    kept.open_until(&server, &cookie, fanout).await?;
    tokio::time::sleep(settle).await;
    let customer = Customer::new(TelegramUserId(77_000), "Fan", None);
    // Round 0 opens the ticket and warms up; it is not counted.
    let server_pid = server.pid.to_string();
    println!("fan-out: telegram trigger starting");
    let usage = (Usage::of(&server_pid), Usage::of("self"));
    let frames = kept.frames();
    let by_telegram = fan_out(&mut kept, rounds, 0, |round| {
        telegram.customer_says(
            &customer,
            &format!("round-{round} of the fan-out benchmark"),
        );
        std::future::ready(Ok(()))
    })
    .await?;
    let used = (Usage::of(&server_pid), Usage::of("self"));
    table.push(by_telegram.print(
        kept.len(),
        "from the message offered to Telegram to arrival (the bot's long poll, the ingest commit \
         and the fan-out)",
    ));
    table.push(print_usage(&usage, &used, rounds, "Telegram"));
    println!(
        "  frames read per console per round (of any type): {:.1}",
        (kept.frames() - frames) as f64 / ((rounds + 1) * kept.len()) as f64
    );
    // The same event path without the bot in front: an agent's `#` note, committed by an API
    // request; every console hears `note.created`.
    let client_id = client_of_open_ticket(&server, &cookie).await?;
    let http = reqwest::Client::new();
    let notes_url = format!("http://{}/api/clients/{client_id}/notes", server.address);
    let origin = format!("http://{}", server.address);
    println!("fan-out: note trigger starting");
    let usage = (Usage::of(&server_pid), Usage::of("self"));
    let frames = kept.frames();
    let by_note = fan_out(&mut kept, rounds, NOTE_ROUNDS, |round| {
        let request = http
            .post(&notes_url)
            .header("Origin", &origin)
            .header("Cookie", &cookie)
            .json(&serde_json::json!({ "text": format!("round-{round} note") }))
            .send();
        async move {
            let response = request.await?;
            anyhow::ensure!(
                response.status().is_success(),
                "a note was refused: {}",
                response.status()
            );
            Ok(())
        }
    })
    .await?;
    let used = (Usage::of(&server_pid), Usage::of("self"));
    table.push(by_note.print(
        kept.len(),
        "from an agent's note request sent to arrival (the API request, its commit and the \
         fan-out)",
    ));
    table.push(print_usage(&usage, &used, rounds, "note"));
    println!(
        "  frames read per console per round (of any type): {:.1}",
        (kept.frames() - frames) as f64 / ((rounds + 1) * kept.len()) as f64
    );
    println!(
        "load average at the end {}",
        std::fs::read_to_string("/proc/loadavg")?.trim()
    );

    kept.tasks.abort_all();
    while kept.tasks.join_next().await.is_some() {}
    server.child.kill().await?;
    let table = table.join("\n");
    println!("\n{table}");
    report.publish(&table, "", &[])?;
    Ok(())
}

/// Prints the CPU the server and this process (the consoles and the fake Telegram) used per
/// round, between the snapshots `before` and `after` (round 0 and the pauses between rounds
/// included); returns it as a table row.
fn print_usage(
    before: &(Usage, Usage),
    after: &(Usage, Usage),
    rounds: usize,
    trigger: &str,
) -> String {
    let rounds = rounds + 1;
    let server = after.0.per_round_since(&before.0, rounds);
    let bench = after.1.per_round_since(&before.1, rounds);
    println!("  per round: server {server}; benchmark process {bench}");
    format!("| CPU per round ({trigger} trigger) | server {server}; benchmark process {bench} |")
}

/// Rounds of the note trigger are numbered from here, apart from the Telegram rounds.
const NOTE_ROUNDS: usize = 1_000_000;

/// What one trigger's rounds measured.
struct FanOut {
    rounds: usize,
    all: Vec<Duration>,
    round_p99: Vec<Duration>,
    spreads: Vec<Duration>,
    /// Per round, from the trigger to the first console's arrival.
    firsts: Vec<Duration>,
}

impl FanOut {
    /// Prints the figures; returns them as a table row.
    fn print(&self, consoles: usize, what: &str) -> String {
        let figures = format!(
            "p50 {:.1} ms, **p99 {:.1} ms**, max {:.1} ms; median of the rounds' p99 {:.1} ms; \
             trigger to the first console, median {:.1} ms; first console to last, median {:.1} \
             ms, max {:.1} ms",
            ms(percentile(&self.all, 0.5)),
            ms(percentile(&self.all, 0.99)),
            ms(*self.all.last().expect("rounds")),
            ms(percentile(&self.round_p99, 0.5)),
            ms(percentile(&self.firsts, 0.5)),
            ms(percentile(&self.spreads, 0.5)),
            ms(*self.spreads.last().expect("rounds")),
        );
        println!(
            "fan-out to {consoles} consoles, {} rounds, {what}: {figures}",
            self.rounds
        );
        format!(
            "| fan-out to {consoles} consoles, {} rounds, {what} | {figures} |",
            self.rounds
        )
    }
}

/// Runs round 0 (warm-up, not counted) and `rounds` more: each calls `trigger` with the round's
/// number (`base` + round) and waits until every console heard it.
async fn fan_out<F, Fut>(
    kept: &mut Consoles,
    rounds: usize,
    base: usize,
    trigger: F,
) -> anyhow::Result<FanOut>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let mut all = Vec::new();
    let mut spreads = Vec::new();
    let mut round_p99 = Vec::new();
    let mut firsts = Vec::new();
    for round in 0..=rounds {
        let number = base + round;
        kept.arrivals.start(number, kept.len());
        let sent = Instant::now();
        trigger(number).await?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let arrivals = kept.arrivals.wait(deadline).await;
        anyhow::ensure!(
            arrivals.len() == kept.len(),
            "round {number}: only {} of {} consoles heard the event",
            arrivals.len(),
            kept.len()
        );
        if round == 0 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        }
        let first = *arrivals.iter().min().expect("arrivals");
        let mut latencies: Vec<Duration> = arrivals.iter().map(|a| *a - sent).collect();
        latencies.sort_unstable();
        let mut spread: Vec<Duration> = arrivals.iter().map(|a| *a - first).collect();
        spread.sort_unstable();
        round_p99.push(percentile(&latencies, 0.99));
        firsts.push(first - sent);
        spreads.push(*spread.last().expect("arrivals"));
        all.extend(latencies);
        // Let the acknowledgement traffic of this round finish before the next.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    all.sort_unstable();
    round_p99.sort_unstable();
    spreads.sort_unstable();
    firsts.sort_unstable();
    Ok(FanOut {
        rounds,
        all,
        round_p99,
        spreads,
        firsts,
    })
}

/// The client id of the (one) open ticket, as the agent's queue shows it.
async fn client_of_open_ticket(server: &Server, cookie: &str) -> anyhow::Result<i64> {
    let tickets: serde_json::Value = reqwest::Client::new()
        .get(format!("http://{}/api/tickets", server.address))
        .header("Cookie", cookie)
        .send()
        .await?
        .json()
        .await?;
    tickets
        .get(0)
        .and_then(|t| t.pointer("/client/id"))
        .and_then(serde_json::Value::as_i64)
        .ok_or_else(|| anyhow::anyhow!("no open ticket with a client: {tickets}"))
}
