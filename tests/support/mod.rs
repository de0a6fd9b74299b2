//! Test support: `spawn_app` (a real Switchboard on a fresh database and a free port, its real bot
//! talking to the fake Bot API), typed HTTP and WebSocket clients, and the backend switch.

#![allow(dead_code)]

pub mod browser;
mod database;
mod http;
mod ws;

use std::time::Duration;

use switchboard::{
    clock::{Clock, ClockControl},
    config::Settings,
    domain::{AgentId, DepartmentId, Role, TelegramUserId, TicketId},
    limits::Limits,
    service::{DepartmentInput, NewAgentInput, Service},
    simulator::{Customer, FakeTelegram},
    startup::Application,
    store,
};
use tokio::{sync::oneshot, task::JoinHandle};

pub use database::{Backend, DbLock};
pub use http::{ApiError, Reply, Session};
pub use ws::Ws;

/// How long a test waits for something that should happen at once.
pub const WAIT: Duration = Duration::from_secs(30);

/// The webhook secret of an app in webhook mode.
pub const TEST_WEBHOOK_SECRET: &str = "test-hook_Secret42";
/// The path of an app's webhook route in webhook mode.
pub const WEBHOOK_PATH: &str = "/telegram/webhook";
/// The bearer token of `/metrics` in tests.
pub const TEST_METRICS_TOKEN: &str = "test-metrics-token";

/// Starts Switchboard in webhook mode on a fresh database of `backend`.
pub async fn spawn_webhook_app(backend: Backend) -> TestApp {
    let database_url = backend.fresh_database().await;
    let telegram = FakeTelegram::start("4242:test-token")
        .await
        .expect("starting the fake Bot API");
    TestApp::start_webhook(backend, database_url, telegram).await
}

/// The password `add_agent` gives every agent.
pub fn password_of(login: &str) -> String {
    format!("pw-{login}-secret")
}

/// When `SWITCHBOARD_TEST_REQUIRE_ALL=1`, a test that cannot run here (no PostgreSQL, no Chromium)
/// fails instead of skipping.
pub fn skip_or_fail(what: &str) {
    if std::env::var("SWITCHBOARD_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1") {
        panic!("{what}, and SWITCHBOARD_TEST_REQUIRE_ALL=1 forbids skipping");
    }
    eprintln!("skipped: {what}");
}

/// Generates, for each named `async fn(Backend)`, one test on SQLite and one on PostgreSQL.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::support::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(backend) = $crate::support::Backend::postgres() {
                        super::$name(backend).await;
                    }
                }
            )*
        }
    };
}

/// A running Switchboard with its fake Telegram.
pub struct TestApp {
    pub address: String,
    pub origin: String,
    pub telegram: FakeTelegram,
    pub database_url: String,
    pub backend: Backend,
    /// Moves this app's clock forward (timers and business hours read it).
    pub clock: ClockControl,
    /// The app's use-cases, to drive its timers.
    pub service: Service,
    running: Option<(oneshot::Sender<()>, JoinHandle<anyhow::Result<()>>)>,
}

/// Starts Switchboard on a fresh database of `backend`.
pub async fn spawn_app(backend: Backend) -> TestApp {
    let database_url = backend.fresh_database().await;
    let telegram = FakeTelegram::start("4242:test-token")
        .await
        .expect("starting the fake Bot API");
    TestApp::start(backend, database_url, telegram).await
}

/// Starts Switchboard on a fresh database of `backend` with its settings changed by `tweak`.
pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let database_url = backend.fresh_database().await;
    let telegram = FakeTelegram::start("4242:test-token")
        .await
        .expect("starting the fake Bot API");
    TestApp::start_with_settings(backend, database_url, telegram, tweak).await
}

/// Starts Switchboard on a fresh database of `backend` with a reopen window of `window`
/// (`SWITCHBOARD_REOPEN_WINDOW`).
pub async fn spawn_app_with_reopen_window(backend: Backend, window: Duration) -> TestApp {
    let database_url = backend.fresh_database().await;
    let telegram = FakeTelegram::start("4242:test-token")
        .await
        .expect("starting the fake Bot API");
    TestApp::start_with(backend, database_url, telegram, window).await
}

/// The limits tests run with: the defaults, but a roomy per-address login bucket, since every
/// test logs in from 127.0.0.1 (the tests of the bucket set their own), and an outbox that is
/// not paced (the pacing tests set Telegram's real limits).
pub fn test_limits() -> Limits {
    Limits {
        address_burst: 1000,
        telegram_chat_interval: Duration::from_millis(1),
        telegram_per_second: 1000,
        ..Limits::default()
    }
}

/// Starts Switchboard on a fresh database of `backend` with these limits.
pub async fn spawn_app_with_limits(backend: Backend, limits: Limits) -> TestApp {
    let database_url = backend.fresh_database().await;
    let telegram = FakeTelegram::start("4242:test-token")
        .await
        .expect("starting the fake Bot API");
    TestApp::start_limited(
        backend,
        database_url,
        telegram,
        switchboard::config::DEFAULT_REOPEN_WINDOW,
        limits,
    )
    .await
}

impl TestApp {
    /// Starts Switchboard on an existing database and fake Telegram (as after a restart).
    pub async fn start(backend: Backend, database_url: String, telegram: FakeTelegram) -> Self {
        Self::start_with(
            backend,
            database_url,
            telegram,
            switchboard::config::DEFAULT_REOPEN_WINDOW,
        )
        .await
    }

    /// Starts Switchboard with a reopen window of `reopen_window`.
    pub async fn start_with(
        backend: Backend,
        database_url: String,
        telegram: FakeTelegram,
        reopen_window: Duration,
    ) -> Self {
        Self::start_limited(
            backend,
            database_url,
            telegram,
            reopen_window,
            test_limits(),
        )
        .await
    }

    /// Starts Switchboard with these limits.
    pub async fn start_limited(
        backend: Backend,
        database_url: String,
        telegram: FakeTelegram,
        reopen_window: Duration,
        limits: Limits,
    ) -> Self {
        Self::start_configured(
            backend,
            database_url,
            telegram,
            reopen_window,
            limits,
            false,
        )
        .await
    }

    /// Starts Switchboard in webhook mode on an existing database and fake Telegram: its webhook
    /// URL is `<address>/telegram/webhook` and its secret `TEST_WEBHOOK_SECRET`.
    pub async fn start_webhook(
        backend: Backend,
        database_url: String,
        telegram: FakeTelegram,
    ) -> Self {
        Self::start_configured(
            backend,
            database_url,
            telegram,
            switchboard::config::DEFAULT_REOPEN_WINDOW,
            test_limits(),
            true,
        )
        .await
    }

    async fn start_configured(
        backend: Backend,
        database_url: String,
        telegram: FakeTelegram,
        reopen_window: Duration,
        limits: Limits,
        webhook: bool,
    ) -> Self {
        Self::start_full(
            backend,
            database_url,
            telegram,
            reopen_window,
            limits,
            webhook,
            None,
        )
        .await
    }

    /// Starts Switchboard with the bot texts overridden by the JSON file at `bot_texts`.
    pub async fn start_with_bot_texts(
        backend: Backend,
        database_url: String,
        telegram: FakeTelegram,
        bot_texts: std::path::PathBuf,
    ) -> Self {
        Self::start_full(
            backend,
            database_url,
            telegram,
            switchboard::config::DEFAULT_REOPEN_WINDOW,
            test_limits(),
            false,
            Some(bot_texts),
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn start_full(
        backend: Backend,
        database_url: String,
        telegram: FakeTelegram,
        reopen_window: Duration,
        limits: Limits,
        webhook: bool,
        bot_texts: Option<std::path::PathBuf>,
    ) -> Self {
        Self::start_tweaked(
            backend,
            database_url,
            telegram,
            reopen_window,
            limits,
            webhook,
            bot_texts,
            |_| {},
        )
        .await
    }

    /// Starts Switchboard with the test settings changed by `tweak`.
    pub async fn start_with_settings(
        backend: Backend,
        database_url: String,
        telegram: FakeTelegram,
        tweak: impl FnOnce(&mut Settings),
    ) -> Self {
        Self::start_tweaked(
            backend,
            database_url,
            telegram,
            switchboard::config::DEFAULT_REOPEN_WINDOW,
            test_limits(),
            false,
            None,
            tweak,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn start_tweaked(
        backend: Backend,
        database_url: String,
        telegram: FakeTelegram,
        reopen_window: Duration,
        limits: Limits,
        webhook: bool,
        bot_texts: Option<std::path::PathBuf>,
        tweak: impl FnOnce(&mut Settings),
    ) -> Self {
        init_test_tracing();
        // Bound first, so that the webhook URL can name the port.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding a free port");
        let address = format!(
            "http://127.0.0.1:{}",
            listener.local_addr().expect("a bound address").port()
        );
        let webhook = webhook.then(|| switchboard::config::WebhookSettings {
            url: format!("{address}{WEBHOOK_PATH}")
                .parse()
                .expect("a webhook URL"),
            secret: TEST_WEBHOOK_SECRET.to_owned(),
        });
        let mut settings = Settings {
            database_url: database_url.clone(),
            telegram_token: telegram.token().to_owned(),
            telegram_api_url: telegram.api_url().clone(),
            listen: "127.0.0.1:0".parse().expect("a valid address"),
            public_url: None,
            default_department: "General".to_owned(),
            webhook,
            poll_timeout: 5,
            reopen_window,
            // Short, so that the dead-instance tests wait seconds, not minutes.
            presence_heartbeat: Duration::from_secs(1),
            presence_ttl: Duration::from_secs(6),
            retention: Default::default(),
            limits: limits.clone(),
            bot_texts: bot_texts.clone(),
            file_cache: switchboard::config::FileCacheSettings::temporary(),
            ratings: true,
            transcript_chat: None,
            metrics_token: Some(TEST_METRICS_TOKEN.to_owned()),
        };
        let (clock, control) = Clock::adjustable();
        tweak(&mut settings);
        let app = Application::build_on(settings, listener)
            .await
            .expect("building the application")
            .with_clock(clock);
        let service = app.service();
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        Self {
            origin: address.clone(),
            address,
            telegram,
            database_url,
            backend,
            clock: control,
            service,
            running: Some((stop, handle)),
        }
    }

    /// Moves the app's clock forward by `by`.
    pub fn advance(&self, by: chrono::TimeDelta) {
        self.clock.advance(by);
    }

    /// Runs the app's due timers now (as its background loop does every minute).
    pub async fn run_timers(&self) -> switchboard::service::TimersRun {
        self.service.run_timers().await.expect("running the timers")
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(&mut self) {
        if let Some((stop, handle)) = self.running.take() {
            let _ = stop.send(());
            handle
                .await
                .expect("server task")
                .expect("server stopped cleanly");
        }
    }

    /// Kills the server at once, as a crash would: whatever it was doing is abandoned.
    pub async fn crash(&mut self) {
        if let Some((_, handle)) = self.running.take() {
            handle.abort();
            let _ = handle.await;
        }
    }

    /// A database connection for setting up and checking rows.
    pub async fn db(&self) -> sea_orm::DatabaseConnection {
        store::connect(&self.database_url)
            .await
            .expect("connecting to the test database")
    }

    /// Creates a department closed to customers (agents work in it as usual), so that new
    /// tickets are not asked about it; `add_open_department` makes one customers can choose.
    pub async fn add_department(&self, name: &str) -> DepartmentId {
        let input = DepartmentInput {
            name: name.to_owned(),
            open: Some(false),
            ..DepartmentInput::default()
        };
        Service::add_department_with(&self.db().await, input)
            .await
            .expect("creating a department")
    }

    /// Creates a department open to customers, with this slug, after the others.
    pub async fn add_open_department(&self, name: &str, slug: &str) -> DepartmentId {
        let input = DepartmentInput {
            name: name.to_owned(),
            slug: Some(slug.to_owned()),
            ..DepartmentInput::default()
        };
        Service::add_department_with(&self.db().await, input)
            .await
            .expect("creating an open department")
    }

    /// Creates an agent whose password is `password_of(login)`.
    pub async fn add_agent(&self, login: &str, role: Role, departments: &[&str]) -> AgentId {
        let departments: Vec<String> = departments.iter().map(|d| (*d).to_owned()).collect();
        Service::add_agent(
            &self.db().await,
            NewAgentInput {
                login,
                name: &display_name(login),
                password: &password_of(login),
                role,
                departments: &departments,
            },
        )
        .await
        .expect("creating an agent")
    }

    /// Logs an existing agent in.
    pub async fn login(&self, login: &str) -> Session {
        Session::login(&self.address, &self.origin, login, &password_of(login)).await
    }

    /// Creates an agent in General and logs them in.
    pub async fn agent(&self, login: &str) -> Session {
        self.add_agent(login, Role::Agent, &["General"]).await;
        self.login(login).await
    }

    /// The URL of the webhook route (in webhook mode).
    pub fn webhook_url(&self) -> String {
        format!("{}{WEBHOOK_PATH}", self.address)
    }

    /// Posts `body` to the webhook route as Telegram would, with `secret` in its header (none
    /// when None); returns the status.
    pub async fn post_update(&self, body: impl Into<reqwest::Body>, secret: Option<&str>) -> u16 {
        let mut request = reqwest::Client::new()
            .post(self.webhook_url())
            .header("content-type", "application/json")
            .body(body);
        if let Some(secret) = secret {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        request
            .send()
            .await
            .expect("posting to the webhook")
            .status()
            .as_u16()
    }

    /// Creates an admin and logs them in.
    pub async fn admin(&self, login: &str) -> Session {
        self.add_agent(login, Role::Admin, &[]).await;
        self.login(login).await
    }

    /// A customer sends `text`; waits until it opened a ticket (the acknowledgement went out) and
    /// returns the ticket's number.
    pub async fn customer_opens_ticket(&self, customer: &Customer, text: &str) -> TicketId {
        self.telegram.customer_says(customer, text);
        let ack = self
            .telegram
            .wait_for_message_to(customer.chat(), "Your request is ticket #", WAIT)
            .await
            .expect("the customer got an acknowledgement naming the ticket");
        ticket_number_in(&ack)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((stop, _)) = self.running.take() {
            let _ = stop.send(());
        }
        self.backend.forget(&self.database_url);
    }
}

/// The ticket number in an acknowledgement ("... ticket #12. ...").
pub fn ticket_number_in(text: &str) -> TicketId {
    text.split('#')
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|digits| digits.parse().ok())
        .unwrap_or_else(|| panic!("no ticket number in {text:?}"))
}

/// A display name made from a login ("alice" → "Alice").
pub fn display_name(login: &str) -> String {
    let mut chars = login.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A customer with a distinct Telegram id.
pub fn customer(id: i64, name: &str) -> Customer {
    Customer::new(TelegramUserId(id), name, Some(&name.to_lowercase()))
}

fn init_test_tracing() {
    if std::env::var("TEST_LOG").is_ok() {
        switchboard::startup::init_tracing();
    }
}

/// How many rows `table` holds.
pub async fn count_rows(db: &sea_orm::DatabaseConnection, table: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .expect("count query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}

/// A customer's text message as Telegram posts it in an update.
pub fn message_update(
    update_id: i64,
    customer: &Customer,
    message_id: i64,
    text: &str,
) -> serde_json::Value {
    serde_json::json!({
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "date": chrono::Utc::now().timestamp(),
            "chat": {"id": customer.id, "type": "private", "first_name": customer.first_name},
            "from": {"id": customer.id, "is_bot": false, "first_name": customer.first_name},
            "text": text,
        },
    })
}
