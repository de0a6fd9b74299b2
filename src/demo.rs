//! `switchboard demo`: the product with no bot token. A seeded SQLite database, a simulated Telegram
//! (the fake Bot API on loopback, which the real bot talks to) and simulated customers.

use std::{net::SocketAddr, time::Duration};

use anyhow::Context;
use tokio_util::sync::CancellationToken;

use crate::{
    config::Settings,
    domain::Role,
    service::{NewAgentInput, Service},
    simulator::{FakeTelegram, customers},
    startup::Application,
    store,
};

/// How to run the demo.
pub struct DemoOptions {
    pub listen: SocketAddr,
    pub database_url: String,
    pub customer_every: Duration,
}

/// The password of every demo agent.
pub const DEMO_PASSWORD: &str = "demo";

/// The demo's agents: login, name, role, departments.
const AGENTS: &[(&str, &str, Role, &[&str])] = &[
    ("alice", "Alice Agent", Role::Agent, &["General"]),
    ("bob", "Bob Agent", Role::Agent, &["Billing"]),
    ("carol", "Carol Agent", Role::Agent, &["General", "Billing"]),
    ("sam", "Sam Supervisor", Role::Supervisor, &[]),
];

/// The demo's canned responses: department, shortcut, title, text.
const CANNED: &[(&str, &str, &str, &str)] = &[
    (
        "General",
        "hello",
        "Greeting",
        "Hello! Thanks for writing to us. How can I help you today?",
    ),
    (
        "General",
        "bye",
        "Closing",
        "Glad I could help. Have a great day!",
    ),
    (
        "Billing",
        "refund",
        "Refund policy",
        "Refunds are processed within 5 business days after we confirm your request.",
    ),
];

/// Runs the demo until Ctrl-C.
pub async fn run(options: DemoOptions) -> anyhow::Result<()> {
    seed(&options.database_url).await?;
    let fake = FakeTelegram::start("123456:DEMO-token")
        .await
        .context("starting the simulated Telegram")?;
    let settings = Settings {
        database_url: options.database_url.clone(),
        telegram_token: fake.token().to_owned(),
        telegram_api_url: fake.api_url().clone(),
        listen: options.listen,
        public_url: None,
        default_department: "General".to_owned(),
        webhook: None,
        poll_timeout: 10,
        reopen_window: crate::config::DEFAULT_REOPEN_WINDOW,
        presence_heartbeat: std::time::Duration::from_secs(10),
        presence_ttl: std::time::Duration::from_secs(30),
        retention: Default::default(),
        limits: crate::limits::Limits::default(),
        bot_texts: None,
        file_cache: crate::config::FileCacheSettings::temporary(),
        ratings: true,
        transcript_chat: None,
        metrics_token: None,
    };
    let app = Application::build(settings).await?;
    println!(
        "\nSwitchboard demo: open {} in your browser.",
        app.public_url()
    );
    println!(
        "Log in as alice (General), bob (Billing), carol (both) or sam (supervisor); the password is {DEMO_PASSWORD:?}."
    );
    println!(
        "Simulated customers write every {} s. Ctrl-C stops.\n",
        options.customer_every.as_secs()
    );
    let stop = CancellationToken::new();
    let simulated = tokio::spawn(customers::run(fake, options.customer_every, stop.clone()));
    let result = app.run_until(crate::startup::shutdown_signal()).await;
    stop.cancel();
    let _ = simulated.await;
    result
}

/// Creates the demo's departments (both open, so customers choose with the buttons) and agents
/// unless they exist.
async fn seed(database_url: &str) -> anyhow::Result<()> {
    let db = store::connect(database_url)
        .await
        .context("opening the demo database")?;
    store::migrate(&db).await?;
    for department in ["General", "Billing"] {
        let id = Service::ensure_department(&db, department).await?;
        for (d, shortcut, title, text) in CANNED {
            if *d != department {
                continue;
            }
            let new = store::canned::NewCanned {
                department: id,
                shortcut: (*shortcut).to_owned(),
                title: (*title).to_owned(),
                text: (*text).to_owned(),
            };
            match store::canned::insert(&db, new, chrono::Utc::now()).await {
                Err(e) if !store::is_unique_violation(&e) => return Err(e.into()),
                _ => {}
            }
        }
    }
    for (login, name, role, departments) in AGENTS {
        if store::agents::find_by_login(&db, login).await?.is_some() {
            continue;
        }
        let departments: Vec<String> = departments.iter().map(|d| (*d).to_owned()).collect();
        Service::add_agent(
            &db,
            NewAgentInput {
                login,
                name,
                password: DEMO_PASSWORD,
                role: *role,
                departments: &departments,
            },
        )
        .await?;
    }
    db.close().await?;
    Ok(())
}
