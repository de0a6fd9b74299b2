//! Ingest throughput: customer messages through the fake Bot API, the real bot and the real
//! database, measured from the first update offered to the last one confirmed to Telegram (which
//! happens only after it is committed).
//!
//! Run: `cargo bench --bench ingest` (SQLite in a temp file), or with
//! `BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432` for a fresh PostgreSQL database.
//! `BENCH_UPDATES` (default 5000) and `BENCH_CUSTOMERS` (default 500) size the run.

use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;
use switchboard::{
    config::Settings,
    domain::{TelegramUserId, UpdateId},
    simulator::{Customer, FakeTelegram},
    startup::Application,
};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn database_url() -> anyhow::Result<(String, String)> {
    let name = format!("sb_bench_{}", switchboard::service::instance_name());
    match std::env::var("BENCH_POSTGRES_URL") {
        Ok(server) => {
            let mut admin = url::Url::parse(&server)?;
            admin.set_path("postgres");
            let db = sea_orm::Database::connect(admin.as_str()).await?;
            db.execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await?;
            let mut url = admin.clone();
            url.set_path(&name);
            Ok((url.to_string(), "PostgreSQL".to_owned()))
        }
        Err(_) => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            Ok((
                format!("sqlite://{}?mode=rwc", path.display()),
                "SQLite".to_owned(),
            ))
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let updates = env_number("BENCH_UPDATES", 5000);
    let customers = env_number("BENCH_CUSTOMERS", 500).max(1);
    let (database_url, backend) = database_url().await?;
    let telegram = FakeTelegram::start("1:bench").await?;
    let settings = Settings {
        database_url,
        telegram_token: telegram.token().to_owned(),
        telegram_api_url: telegram.api_url().clone(),
        listen: "127.0.0.1:0".parse()?,
        public_url: None,
        default_department: "General".to_owned(),
        webhook: None,
        poll_timeout: 5,
        reopen_window: switchboard::config::DEFAULT_REOPEN_WINDOW,
        presence_heartbeat: std::time::Duration::from_secs(10),
        presence_ttl: std::time::Duration::from_secs(30),
        retention: Default::default(),
        limits: switchboard::limits::Limits::default(),
        bot_texts: None,
        file_cache: switchboard::config::FileCacheSettings::temporary(),
        ratings: true,
        transcript_chat: None,
        metrics_token: None,
    };
    let app = Application::build(settings).await?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));

    let people: Vec<Customer> = (0..customers)
        .map(|i| Customer::new(TelegramUserId(10_000 + i as i64), "Bench", None))
        .collect();
    let started = Instant::now();
    let mut last = UpdateId(0);
    for i in 0..updates {
        last = telegram.customer_says(&people[i % customers], "benchmark message");
    }
    while telegram.confirmed_offset() <= last.0 {
        if started.elapsed() > Duration::from_secs(600) {
            anyhow::bail!("not all updates were ingested within 10 minutes");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let ingest = started.elapsed();
    while telegram.calls("sendMessage").len() < customers {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let acks = started.elapsed();
    println!("backend: {backend}; {updates} updates from {customers} customers");
    println!(
        "ingest: {:.2} s, {:.0} updates/s (committed and confirmed)",
        ingest.as_secs_f64(),
        updates as f64 / ingest.as_secs_f64()
    );
    println!(
        "acknowledgements: all {customers} sent after {:.2} s",
        acks.as_secs_f64()
    );
    let _ = stop.send(());
    server.await??;
    Ok(())
}
