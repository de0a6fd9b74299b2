//! Outbound throughput and server CPU per message: agents' replies queued through the service's
//! reply use case, then drained by the real outbox sender to the in-repo fake Bot API.
//!
//! Two phases on one database. First an application with its sender paced to 1 message/s takes
//! `BENCH_CHATS` customers' first messages, accepts their tickets and queues `BENCH_REPLIES`
//! replies spread over them; it is then stopped (almost everything stays queued). Then a fresh
//! application is started on the same database (as after a restart) and the drain is measured:
//! from its start until the fake Telegram has taken every queued message.
//!
//! CPU: the fake Bot API runs on its own runtime (threads named `fake-tg`), the application on
//! another (`sb-app`, plus sqlx's SQLite workers). The server's CPU is the process's CPU time
//! (`/proc/self/stat`, which keeps the time of threads that ended) minus the fake's threads and
//! the bench's main thread (`/proc/self/task/*/stat`). PostgreSQL's own CPU is not counted.
//!
//! Pacing: by default the drain runs with the sender's pacing lifted (`TELEGRAM_CHAT_INTERVAL_MS`
//! 0, `TELEGRAM_MESSAGES_PER_SECOND` 1,000,000) and the fake's rate limits off, so that the
//! figure is the cost of the outbox, not the simulated 30/s. With `BENCH_PACING=telegram` the
//! drain uses the default pacing (1 s per chat, 30/s) and the fake enforces Telegram's limits
//! (429 with `retry_after`); the bench then reports the drain rate and the 429s it saw.
//!
//! Run: `cargo bench --bench outbound` (SQLite in a temp file), or with
//! `BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432` for a fresh PostgreSQL database.
//! `BENCH_REPLIES` (default 5000, 600 with telegram pacing) and `BENCH_CHATS` (default 500)
//! size the run. The PostgreSQL database (`sb_bench_*`) is dropped at the end, and leftovers of
//! runs that died (nobody connected) at the start; the SQLite file is removed. The table goes into
//! `docs/benchmarks.md` (section `bench:outbound:<backend>[:telegram-pacing]`; `BENCH_DOC` as in
//! `switchboard::bench::report`).

#[path = "support/postgres.rs"]
mod postgres;

use std::time::{Duration, Instant};

use postgres::BenchDatabase;
use sea_orm::{ConnectionTrait, Statement};
use switchboard::{
    bench::report::{Report, Target},
    config::Settings,
    domain::{Role, TelegramUserId, TicketId},
    limits::Limits,
    service::{NewAgentInput, Service},
    simulator::{Customer, FakeTelegram},
    startup::Application,
};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The run's database: a new PostgreSQL database, or a SQLite file in the temp directory.
enum Database {
    Postgres(BenchDatabase),
    Sqlite(std::path::PathBuf),
}

impl Database {
    async fn create() -> anyhow::Result<Self> {
        match std::env::var("BENCH_POSTGRES_URL") {
            Ok(server) => {
                for name in postgres::drop_leftovers(&server).await? {
                    println!("dropped the leftover database {name}");
                }
                Ok(Self::Postgres(BenchDatabase::create(&server).await?))
            }
            Err(_) => Ok(Self::Sqlite(std::env::temp_dir().join(format!(
                "sb_bench_{}.db",
                switchboard::service::instance_name()
            )))),
        }
    }

    fn url(&self) -> String {
        match self {
            Self::Postgres(database) => database.url.clone(),
            Self::Sqlite(path) => format!("sqlite://{}?mode=rwc", path.display()),
        }
    }

    fn backend(&self) -> &'static str {
        match self {
            Self::Postgres(_) => "PostgreSQL",
            Self::Sqlite(_) => "SQLite",
        }
    }

    /// Drops the database (every connection to it must be closed).
    async fn remove(self) -> anyhow::Result<()> {
        match self {
            Self::Postgres(database) => database.remove().await,
            Self::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
                Ok(())
            }
        }
    }
}

fn settings(database_url: &str, telegram: &FakeTelegram, limits: Limits) -> Settings {
    Settings {
        database_url: database_url.to_owned(),
        telegram_token: telegram.token().to_owned(),
        telegram_api_url: telegram.api_url().clone(),
        listen: "127.0.0.1:0".parse().expect("a literal address"),
        public_url: None,
        default_department: "General".to_owned(),
        webhook: None,
        poll_timeout: 5,
        reopen_window: switchboard::config::DEFAULT_REOPEN_WINDOW,
        presence_heartbeat: Duration::from_secs(10),
        presence_ttl: Duration::from_secs(30),
        retention: Default::default(),
        limits,
        bot_texts: None,
        file_cache: switchboard::config::FileCacheSettings::temporary(),
        ratings: true,
        transcript_chat: None,
        metrics_token: None,
    }
}

/// CPU ticks (utime + stime) of a `/proc/.../stat` line, and the thread's name.
fn stat_ticks(path: &std::path::Path) -> Option<(String, u64)> {
    let text = std::fs::read_to_string(path).ok()?;
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let name = text[open + 1..close].to_owned();
    let fields: Vec<&str> = text[close + 2..].split(' ').collect();
    // After the name: state is field 3 of stat, so utime (14) and stime (15) are at 11 and 12.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((name, utime + stime))
}

/// The process's CPU ticks and those of the threads that are not the server's (the fake Bot
/// API's and the bench's main thread).
fn cpu_sample() -> (u64, u64) {
    let process = stat_ticks(std::path::Path::new("/proc/self/stat")).map_or(0, |(_, t)| t);
    let main_tid = std::process::id().to_string();
    let mut other = 0;
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for task in tasks.flatten() {
            let Some((name, ticks)) = stat_ticks(&task.path().join("stat")) else {
                continue;
            };
            if name.starts_with("fake-tg") || task.file_name().to_string_lossy() == main_tid {
                other += ticks;
            }
        }
    }
    (process, other)
}

const TICKS_PER_SECOND: f64 = 100.0;

async fn count(db: &sea_orm::DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no row"))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

fn main() -> anyhow::Result<()> {
    let telegram_pacing = std::env::var("BENCH_PACING").is_ok_and(|v| v == "telegram");
    let replies = env_number("BENCH_REPLIES", if telegram_pacing { 600 } else { 5000 });
    let chats = env_number("BENCH_CHATS", 500).max(1);
    let fake_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("fake-tg")
        .enable_all()
        .build()?;
    let telegram = fake_runtime.block_on(FakeTelegram::start("1:bench"))?;
    let app_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("sb-app")
        .enable_all()
        .build()?;
    app_runtime.block_on(run(telegram, replies, chats, telegram_pacing))
}

async fn run(
    telegram: FakeTelegram,
    replies: usize,
    chats: usize,
    telegram_pacing: bool,
) -> anyhow::Result<()> {
    let database = Database::create().await?;
    let (database_url, backend) = (database.url(), database.backend());
    let key = match (backend, telegram_pacing) {
        ("PostgreSQL", false) => "outbound:postgres",
        ("PostgreSQL", true) => "outbound:postgres:telegram-pacing",
        (_, false) => "outbound:sqlite",
        (_, true) => "outbound:sqlite:telegram-pacing",
    };
    let report = Report::begin(key, format!("outbound, {backend} (`benches/outbound.rs`)"));
    // Phase 1: queue the replies while the sender barely sends.
    let slow = Limits {
        telegram_per_second: 1,
        ..Limits::default()
    };
    let app = Application::build(settings(&database_url, &telegram, slow)).await?;
    let service = app.service();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let people: Vec<Customer> = (0..chats)
        .map(|i| Customer::new(TelegramUserId(10_000 + i as i64), "Bench", None))
        .collect();
    for person in &people {
        telegram.customer_says(person, "hello");
    }
    let tickets = open_tickets(&service, chats).await?;
    let actor = agent(&service).await?;
    for ticket in &tickets {
        service.accept(&actor, *ticket).await?;
    }
    let queue_started = Instant::now();
    for i in 0..replies {
        let ticket = tickets[i % tickets.len()];
        service
            .reply(&actor, ticket, &format!("reply {i}"), None)
            .await?;
    }
    let queueing = queue_started.elapsed();
    let _ = stop.send(());
    server.await??;
    drop(service);

    // Phase 2: a fresh application drains the outbox.
    let db = sea_orm::Database::connect(&database_url).await?;
    let queued = count(
        &db,
        "SELECT COUNT(*) FROM messages WHERE delivery IN ('queued', 'sending')",
    )
    .await?;
    db.close().await?;
    let limits = if telegram_pacing {
        telegram.enforce_rate_limits();
        Limits::default()
    } else {
        Limits {
            telegram_chat_interval: Duration::ZERO,
            telegram_per_second: 1_000_000,
            ..Limits::default()
        }
    };
    let sent_before = telegram.bot_message_count();
    let limited_before = telegram.rate_limited();
    let app = Application::build(settings(&database_url, &telegram, limits)).await?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (process_before, other_before) = cpu_sample();
    let started = Instant::now();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let target = sent_before + usize::try_from(queued)?;
    while telegram.bot_message_count() < target {
        if started.elapsed() > Duration::from_secs(900) {
            anyhow::bail!(
                "the outbox did not drain within 15 minutes ({} of {queued} sent)",
                telegram.bot_message_count() - sent_before
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drain = started.elapsed();
    let (process_after, other_after) = cpu_sample();
    let _ = stop.send(());
    server.await??;
    let server_ticks = (process_after - process_before).saturating_sub(other_after - other_before);
    let server_cpu = server_ticks as f64 / TICKS_PER_SECOND;
    let fake_cpu = (other_after - other_before) as f64 / TICKS_PER_SECOND;
    let db = sea_orm::Database::connect(&database_url).await?;
    let left = count(
        &db,
        "SELECT COUNT(*) FROM messages WHERE delivery IN ('queued', 'sending')",
    )
    .await?;
    db.close().await?;

    database.remove().await?;

    let pacing = if telegram_pacing {
        "Telegram's (1 s per chat, 30/s; fake enforces 429)"
    } else {
        "lifted (chat interval 0, 1,000,000/s; fake limits off)"
    };
    let per_second = queued as f64 / drain.as_secs_f64();
    let cpu_per_message = server_cpu * 1000.0 / queued as f64;
    let limited = telegram.rate_limited() - limited_before;
    let table = format!(
        "| backend | pacing | replies queued (chats, seconds) | drained | drain s | messages/s | server CPU ms/message | fake Bot API and bench CPU s | 429s | left queued |\n\
         |---|---|---|---|---|---|---|---|---|---|\n\
         | {backend} | {pacing} | {replies} ({chats} chats, {:.2} s) | {queued} | {:.2} | **{per_second:.0}** | **{cpu_per_message:.3}** | {fake_cpu:.2} | {limited} | {left} |\n",
        queueing.as_secs_f64(),
        drain.as_secs_f64(),
    );
    println!("{table}");
    let target = if telegram_pacing {
        Target::new(
            format!(
                "the outbox drains at Telegram's pace without any 429 ({backend}, outbound bench)"
            ),
            format!("{limited} answered 429; {per_second:.1} messages/s"),
            Some(limited == 0),
        )
    } else {
        Target::new(
            format!("≤0.2 ms server CPU per message sent through the outbox ({backend})"),
            format!("{cpu_per_message:.3} ms"),
            Some(cpu_per_message <= 0.2),
        )
    };
    report.publish(&table, "", &[target])?;
    Ok(())
}

/// Waits until `chats` tickets exist and returns their ids.
async fn open_tickets(service: &Service, chats: usize) -> anyhow::Result<Vec<TicketId>> {
    let started = Instant::now();
    loop {
        let rows = service
            .db()
            .query_all_raw(Statement::from_string(
                service.db().get_database_backend(),
                "SELECT id FROM tickets ORDER BY id",
            ))
            .await?;
        if rows.len() >= chats {
            return rows
                .iter()
                .map(|row| Ok(TicketId(row.try_get_by_index::<i64>(0)?)))
                .collect();
        }
        if started.elapsed() > Duration::from_secs(300) {
            anyhow::bail!("only {} of {chats} tickets were opened", rows.len());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// An agent of the default department, logged in.
async fn agent(service: &Service) -> anyhow::Result<switchboard::service::Actor> {
    Service::add_agent(
        service.db(),
        NewAgentInput {
            login: "bench",
            name: "Bench Agent",
            password: "bench-password-1",
            role: Role::Agent,
            departments: &["General".to_owned()],
        },
    )
    .await?;
    let (token, _) = service.login("bench", "bench-password-1").await?;
    Ok(service.session(&token).await?)
}
