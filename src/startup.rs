//! Building and running the application: database, migrations, the bot, the outbox sender, the
//! event log tailer and relay, presence and the HTTP server, under one shutdown.

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use tokio::net::TcpListener;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use url::Url;

use crate::{
    config::Settings,
    domain::EventSeq,
    http::{self, AllowedOrigins, AppState},
    hub::{self, Hub},
    service::{OutboxSignal, Service},
    sound, store, telegram,
};

/// A built application: its listener is bound, its database migrated; `run_until` serves.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    settings: Settings,
    public_url: Url,
    /// The event log's newest seq at start: the tailer publishes what comes after.
    log_start: EventSeq,
}

impl Application {
    /// Opens the database, runs migrations, binds the listener. The only reader of Settings.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("binding SWITCHBOARD_LISTEN={}", settings.listen))?;
        Self::build_on(settings, listener).await
    }

    /// As `build`, on a listener bound already (`settings.listen` is not read): a test that must
    /// know the port before the settings (a webhook URL naming it) binds first.
    pub async fn build_on(settings: Settings, listener: TcpListener) -> anyhow::Result<Self> {
        let texts = match &settings.bot_texts {
            Some(path) => crate::texts::BotTexts::load(path)
                .context("loading the bot texts named by SWITCHBOARD_BOT_TEXTS")?,
            None => crate::texts::BotTexts::default(),
        };
        let db = store::connect(&settings.database_url)
            .await
            .with_context(|| "opening the database named by DATABASE_URL")?;
        store::migrate(&db)
            .await
            .context("running database migrations")?;
        let default_department = Service::ensure_department(&db, &settings.default_department)
            .await
            .context("creating the default department")?;
        let local = listener.local_addr()?;
        let public_url = match &settings.public_url {
            Some(url) => url.clone(),
            None => Url::parse(&format!("http://{local}")).context("forming the public URL")?,
        };
        // The tailer publishes what is committed after this; consoles connect later.
        let log_start = store::events::newest(&db)
            .await
            .context("reading the event log's newest seq")?;
        let hub = Hub::new(crate::service::instance_name());
        let service = Service::new(db, hub, OutboxSignal::default(), default_department)
            .with_reopen_window(settings.reopen_window)
            .with_close_followups(settings.ratings, settings.transcript_chat)
            .with_limits(&settings.limits)
            .with_texts(texts);
        service
            .load_bot_texts()
            .await
            .context("reading the bot text overrides")?;
        let state = AppState {
            service: service.clone(),
            origins: Arc::new(AllowedOrigins::for_public_url(&public_url)),
            secure_cookies: public_url.scheme() == "https",
            shutdown: CancellationToken::new(),
            sockets: TaskTracker::new(),
            alert_wav: sound::alert_wav()?.into(),
            limits: Arc::new(settings.limits.clone()),
            login_addresses: Arc::new(http::AddressThrottle::new(
                settings.limits.address_burst,
                settings.limits.address_refill,
            )),
            socket_slots: Arc::new(http::SocketSlots::default()),
            session_watch: Arc::new(http::SessionWatch::default()),
            chat_actions: Arc::new(
                telegram::actions::ChatActions::new(telegram::bot(
                    &settings.telegram_token,
                    &settings.telegram_api_url,
                ))
                .counted(service.telegram_calls().clone()),
            ),
            files: Arc::new(
                telegram::files::FileCache::new(
                    telegram::bot(&settings.telegram_token, &settings.telegram_api_url),
                    &settings.file_cache,
                )
                .counted(service.telegram_calls().clone()),
            ),
            metrics_token: settings.metrics_token.as_deref().map(Arc::from),
            webhook: settings.webhook.as_ref().map(|webhook| {
                Arc::new(http::Webhook {
                    path: webhook.url.path().to_owned(),
                    secret: webhook.secret.clone(),
                    bot: telegram::bot(&settings.telegram_token, &settings.telegram_api_url),
                })
            }),
        };
        Ok(Self {
            listener,
            state,
            settings,
            public_url,
            log_start,
        })
    }

    /// The same application reading time from `clock` instead of the system's (tests hand an
    /// adjustable one; the server binary never does).
    pub fn with_clock(mut self, clock: crate::clock::Clock) -> Self {
        self.state.service = self.state.service.clone().with_clock(clock);
        self
    }

    /// The use-cases this application runs (tests drive the timers through it).
    pub fn service(&self) -> Service {
        self.state.service.clone()
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    /// Where browsers reach the console.
    pub fn public_url(&self) -> &Url {
        &self.public_url
    }

    /// Serves until `shutdown` resolves, then stops the bot and closes open WebSockets. If this
    /// future is dropped instead, everything it runs stops at once (as in a crash): nothing is
    /// acknowledged to Telegram that was not committed.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Self {
            listener,
            state,
            settings,
            public_url,
            log_start,
        } = self;
        let stop = state.shutdown.clone();
        let _stop_on_drop = stop.clone().drop_guard();
        tracing::info!(address = %listener.local_addr()?, console = %public_url, "Switchboard is serving");

        let bot = telegram::bot(&settings.telegram_token, &settings.telegram_api_url);
        let service = state.service.clone();
        // Webhook mode registers the webhook (Telegram then posts to the route) and does not
        // poll; polling deletes any webhook left before its first getUpdates.
        let receiver = {
            let bot = bot.clone();
            let service = service.clone();
            let stop = stop.clone();
            let webhook = settings.webhook.clone();
            let timeout = settings.poll_timeout;
            async move {
                match webhook {
                    Some(webhook) => {
                        telegram::webhook::register(
                            &bot,
                            service.telegram_calls(),
                            &webhook.url,
                            &webhook.secret,
                            &stop,
                        )
                        .await;
                    }
                    None => telegram::poller::run(bot, service, timeout, stop).await,
                }
            }
        };
        let sender = {
            let outbox = telegram::sender::run(bot.clone(), service.clone(), stop.clone());
            let transcripts =
                telegram::transcripts::run(bot.clone(), service.clone(), stop.clone());
            let replies =
                telegram::commands::send_replies(bot.clone(), service.clone(), stop.clone());
            let service = service.clone();
            let stop = stop.clone();
            let commands = async move {
                telegram::commands::register(&bot, &service, &stop).await;
            };
            async move {
                tokio::join!(outbox, transcripts, replies, commands);
            }
        };
        let relay = {
            let stop = stop.clone();
            let service = service.clone();
            async move {
                if store::is_postgres(service.db())
                    && let Err(error) =
                        hub::relay::run(service.db().clone(), service.hub().clone(), stop).await
                {
                    tracing::error!(error = ?error, "the live event relay stopped");
                }
            }
        };
        let tailer = hub::tailer::run(
            service.db().clone(),
            service.hub().clone(),
            log_start,
            stop.clone(),
        );
        let presence = crate::presence::run(
            service.clone(),
            crate::presence::Timing {
                heartbeat: settings.presence_heartbeat,
                ttl: settings.presence_ttl,
            },
            stop.clone(),
        );
        let presence_relay = {
            let stop = stop.clone();
            let service = service.clone();
            async move {
                if store::is_postgres(service.db())
                    && let Err(error) = crate::presence::listen(service, stop).await
                {
                    tracing::error!(error = ?error, "the presence relay stopped");
                }
            }
        };
        let pruner = crate::retention::run(service.db().clone(), settings.retention, stop.clone());
        let timers = crate::timers::run(service.clone(), stop.clone());
        let breaches = crate::breaches::run(service.clone(), stop.clone());
        let session_watch = state.session_watch.clone().run(
            service.clone(),
            settings.limits.session_recheck,
            stop.clone(),
        );
        let bot_texts = service.clone().follow_bot_texts(stop.clone());
        let sockets = state.sockets.clone();
        let limits = settings.limits.clone();
        let app = http::router(state);
        let server = {
            let stop = stop.clone();
            async move {
                let stopping = stop.clone();
                tokio::spawn(async move {
                    tokio::select! {
                        () = shutdown => {},
                        () = stopping.cancelled() => {},
                    }
                    stopping.cancel();
                });
                http::serve(listener, app, &limits, stop).await
            }
        };
        let (served, (), (), (), (), (), (), (), (), (), (), ()) = tokio::join!(
            server,
            receiver,
            sender,
            relay,
            tailer,
            presence,
            presence_relay,
            pruner,
            session_watch,
            bot_texts,
            timers,
            breaches
        );
        sockets.close();
        if tokio::time::timeout(Duration::from_secs(5), sockets.wait())
            .await
            .is_err()
        {
            tracing::warn!("some consoles did not close within 5 s");
        }
        tracing::info!("Switchboard stopped");
        served.context("serving HTTP")
    }
}

/// Logs to stderr; `RUST_LOG` filters (default: info).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
