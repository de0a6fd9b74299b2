//! The customer's side of the bot: `/start` greets in the customer's language, `/status` names the
//! open ticket, `/new` opens a separate one (later messages go to the newest), the command menu is
//! registered at start, a customer who blocked the bot is marked unreachable live (their queued
//! messages fail instead of being retried) until they write again, and the operator's text file.

use std::collections::HashMap;

use chrono::Utc;
use futures_util::future::join_all;
use serde_json::Value;
use switchboard::{
    config::Settings,
    domain::{ChatId, DeliveryState, Role, TelegramMessageId, TicketId, TicketStatus, UpdateId},
    hub::{Event, Hub, ServerFrame},
    service::{IncomingMessage, IngestOutcome, OutboxSignal, Service},
    simulator::{Customer, Failure, FakeTelegram},
    startup::Application,
    store::{self, clients::TelegramProfile},
    views::{MessageView, TicketView},
};

use crate::support::{
    Backend, Session, TestApp, WAIT, Ws, count_rows, customer, spawn_app, ticket_number_in,
};

/// A path for a file of this test run (`name` last), in a directory of its own.
fn temp_file(backend: &Backend, name: &str) -> std::path::PathBuf {
    let kind = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres(_) => "postgres",
    };
    let dir = std::env::temp_dir().join(format!(
        "switchboard-texts-{}-{kind}-{}",
        std::process::id(),
        name.replace('.', "-")
    ));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir.join(name)
}

/// A customer whose Telegram speaks Russian.
fn russian(id: i64, name: &str) -> Customer {
    let mut who = customer(id, name);
    who.language = Some("ru".to_owned());
    who
}

/// Waits for the bot's message to `who` containing `needle` and returns its text.
async fn bot_says(app: &TestApp, who: &Customer, needle: &str) -> String {
    app.telegram
        .wait_for_message_to(who.chat(), needle, WAIT)
        .await
        .unwrap_or_else(|| {
            panic!(
                "no message with {needle:?} to the customer; sent: {:?}",
                app.telegram.sent_to(who.chat())
            )
        })
}

async fn texts_of(agent: &Session, ticket: TicketId) -> Vec<String> {
    let messages: Vec<MessageView> = agent
        .get_json(&format!("/api/tickets/{ticket}/messages"))
        .await;
    messages.into_iter().map(|m| m.text).collect()
}

async fn ticket(agent: &Session, ticket: TicketId) -> TicketView {
    agent.get_json(&format!("/api/tickets/{ticket}")).await
}

/// The next `ticket.updated` about `number`, as the console shows the ticket.
async fn ticket_updated(ws: &mut Ws, number: TicketId) -> TicketView {
    ws.expect("ticket.updated", |frame| match frame {
        ServerFrame::Event(event) => match event.event {
            Event::TicketUpdated { ticket, .. } if ticket.id == number => Some(ticket),
            _ => None,
        },
        _ => None,
    })
    .await
}

/// The next `message.updated` that leaves a message failed.
async fn message_failed(ws: &mut Ws) -> MessageView {
    ws.expect("a failed message", |frame| match frame {
        ServerFrame::Event(event) => match event.event {
            Event::MessageUpdated { message }
                if message.delivery == Some(DeliveryState::Failed) =>
            {
                Some(message)
            }
            _ => None,
        },
        _ => None,
    })
    .await
}

async fn start_greets_in_english_and_in_russian_from_the_language_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let ann = customer(501, "Ann");
    let ivan = russian(502, "Ivan");
    app.telegram.customer_says(&ann, "/start");
    app.telegram.customer_says(&ivan, "/start");
    bot_says(&app, &ann, "Hello, Ann!").await;
    bot_says(&app, &ivan, "Здравствуйте, Ivan!").await;
    // A bare /start greets; it opens no ticket (nobody asked anything yet).
    assert_eq!(count_rows(&app.db().await, "tickets").await, 0);
    // The customer's question then opens one, acknowledged in their language.
    app.telegram.customer_says(&ivan, "Где мой заказ?");
    let ack = bot_says(&app, &ivan, "заявка #").await;
    assert_eq!(ticket_number_in(&ack), TicketId(1));
}

async fn status_names_the_open_ticket_and_both_are_on_its_timeline(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    let alice = app.login("alice").await;
    let ann = customer(511, "Ann");
    let number = app.customer_opens_ticket(&ann, "my order is late").await;
    app.telegram.customer_says(&ann, "/status");
    let answer = bot_says(&app, &ann, "(General)").await;
    assert_eq!(
        answer,
        format!("Your request #{number} (General) is waiting for an agent.")
    );
    let texts = texts_of(&alice, number).await;
    assert!(texts.contains(&"/status".to_owned()), "{texts:?}");
    assert!(texts.contains(&answer), "{texts:?}");
    assert_eq!(ticket(&alice, number).await.status, TicketStatus::Pending);

    alice.accept(number).await.expect::<Value>(200);
    app.telegram.customer_says(&ann, "/status");
    bot_says(&app, &ann, "is with an agent").await;
}

async fn status_without_an_open_ticket_says_so_and_opens_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let ann = customer(521, "Ann");
    let ivan = russian(522, "Ivan");
    app.telegram.customer_says(&ann, "/status");
    app.telegram.customer_says(&ivan, "/status");
    bot_says(&app, &ann, "You have no open request.").await;
    bot_says(&app, &ivan, "У вас нет открытых обращений.").await;
    assert_eq!(count_rows(&app.db().await, "tickets").await, 0);
}

async fn new_opens_a_second_ticket_and_later_messages_go_to_the_newest(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    let alice = app.login("alice").await;
    let ann = customer(531, "Ann");
    let first = app.customer_opens_ticket(&ann, "about my invoice").await;
    app.telegram.customer_says(&ann, "/new");
    let second_ack = app
        .telegram
        .wait_for_call(WAIT, |c| {
            c.method == "sendmessage"
                && c.body["text"].as_str().is_some_and(|t| {
                    t.contains("Your request is ticket #") && ticket_number_in(t) != first
                })
        })
        .await
        .expect("an acknowledgement of a second ticket");
    let second = ticket_number_in(second_ack.body["text"].as_str().expect("a text"));
    assert_ne!(first, second);
    // Both stay open: /new closes nothing.
    assert_eq!(ticket(&alice, first).await.status, TicketStatus::Pending);
    assert_eq!(ticket(&alice, second).await.status, TicketStatus::Pending);
    assert!(texts_of(&alice, second).await.contains(&"/new".to_owned()));

    // A plain message goes to the newest open ticket.
    app.telegram.customer_says(&ann, "and one more thing");
    let mut ws = alice.ws().await;
    app.telegram.customer_says(&ann, "/status");
    ws.expect(
        "the status command on the newest ticket",
        |frame| match frame {
            ServerFrame::Event(event) => match event.event {
                Event::MessageCreated { message } if message.text == "/status" => {
                    Some(message.ticket_id)
                }
                _ => None,
            },
            _ => None,
        },
    )
    .await;
    let newest = texts_of(&alice, second).await;
    assert!(
        newest.contains(&"and one more thing".to_owned()),
        "{newest:?}"
    );
    assert!(
        !texts_of(&alice, first)
            .await
            .contains(&"and one more thing".to_owned())
    );
    bot_says(&app, &ann, &format!("Your request #{second} (General)")).await;
}

async fn the_command_menu_is_registered_at_start_in_english_and_russian(backend: Backend) {
    let app = spawn_app(backend).await;
    let names = |menu: &Value| -> Vec<String> {
        menu.as_array()
            .expect("a list of commands")
            .iter()
            .map(|c| c["command"].as_str().expect("a name").to_owned())
            .collect()
    };
    let default = app
        .telegram
        .wait_for_commands(None, WAIT)
        .await
        .expect("the default menu was set");
    assert_eq!(names(&default), ["start", "status", "new"]);
    assert_eq!(default[1]["description"], "Show your open request");
    let ru = app
        .telegram
        .wait_for_commands(Some("ru"), WAIT)
        .await
        .expect("a Russian menu");
    assert_eq!(names(&ru), ["start", "status", "new"]);
    assert_eq!(ru[1]["description"], "Открытое обращение");
}

async fn a_403_marks_the_customer_unreachable_live_and_their_next_message_clears_it(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    let alice = app.login("alice").await;
    let ann = customer(541, "Ann");
    let number = app.customer_opens_ticket(&ann, "hello").await;
    alice.accept(number).await.expect::<Value>(200);
    assert_eq!(ticket(&alice, number).await.client.unreachable, None);
    let mut ws = alice.ws().await;

    app.telegram.block(ann.chat());
    alice
        .reply(number, "are you there?")
        .await
        .expect::<Value>(201);
    let failed = message_failed(&mut ws).await;
    assert_eq!(
        failed.delivery_error.as_deref(),
        Some("the customer blocked the bot")
    );
    let marked = ticket_updated(&mut ws, number).await;
    assert_eq!(
        marked.client.unreachable.as_deref(),
        Some("the customer blocked the bot")
    );
    assert!(ticket(&alice, number).await.client.unreachable.is_some());

    // They write again (so they unblocked the bot): the mark is gone, live.
    app.telegram.unblock(ann.chat());
    app.telegram.customer_says(&ann, "sorry, I am back");
    let cleared = ticket_updated(&mut ws, number).await;
    assert_eq!(cleared.client.unreachable, None);
    assert_eq!(ticket(&alice, number).await.client.unreachable, None);
}

async fn a_kicked_update_marks_unreachable_and_fails_the_queued_messages_instead_of_retrying(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    let alice = app.login("alice").await;
    let ann = customer(551, "Ann");
    let number = app.customer_opens_ticket(&ann, "hello").await;
    alice.accept(number).await.expect::<Value>(200);
    let mut ws = alice.ws().await;

    // Telegram asks the sender to wait a minute: the reply waits in the outbox to be retried.
    app.telegram
        .fail_next("sendMessage", Failure::RetryAfter(60));
    let reply: MessageView = alice
        .reply(number, "your refund is on its way")
        .await
        .expect(201);
    ws.expect("the reply queued for a retry", |frame| match frame {
        ServerFrame::Event(event) => match event.event {
            Event::MessageUpdated { message }
                if message.id == reply.id && message.delivery_error.is_some() =>
            {
                Some(())
            }
            _ => None,
        },
        _ => None,
    })
    .await;

    app.telegram.customer_blocks_bot(&ann);
    let failed = message_failed(&mut ws).await;
    assert_eq!(failed.id, reply.id);
    assert_eq!(
        failed.delivery_error.as_deref(),
        Some("the customer blocked the bot")
    );
    let marked = ticket_updated(&mut ws, number).await;
    assert_eq!(
        marked.client.unreachable.as_deref(),
        Some("the customer blocked the bot")
    );

    // Unblocking (status member) clears the mark.
    app.telegram.customer_unblocks_bot(&ann);
    let cleared = ticket_updated(&mut ws, number).await;
    assert_eq!(cleared.client.unreachable, None);
    // The failed reply stays failed: nothing is sent behind the agent's back.
    let sends = app
        .telegram
        .sent_to(ann.chat())
        .iter()
        .filter(|t| *t == "your refund is on its way")
        .count();
    assert_eq!(sends, 1, "the reply was tried once (the 429), never again");
}

async fn an_override_file_changes_a_text(backend: Backend) {
    let path = temp_file(&backend, "texts.json");
    std::fs::write(
        &path,
        r#"{"en": {"greeting": "Welcome aboard, {name}."}, "ru": {"status_none": "Пусто."}}"#,
    )
    .expect("writing the texts file");
    let database_url = backend.fresh_database().await;
    let telegram = FakeTelegram::start("4242:test-token")
        .await
        .expect("starting the fake Bot API");
    let app = TestApp::start_with_bot_texts(backend, database_url, telegram, path).await;
    let ann = customer(561, "Ann");
    let ivan = russian(562, "Ivan");
    app.telegram.customer_says(&ann, "/start");
    app.telegram.customer_says(&ivan, "/status");
    assert_eq!(
        bot_says(&app, &ann, "Welcome").await,
        "Welcome aboard, Ann."
    );
    assert_eq!(bot_says(&app, &ivan, "Пусто").await, "Пусто.");
}

async fn a_bad_override_file_fails_at_start_naming_the_file_and_the_key(backend: Backend) {
    let path = temp_file(&backend, "bad-texts.json");
    std::fs::write(&path, r#"{"en": {"greting": "Hi"}}"#).expect("writing the texts file");
    let vars: HashMap<&str, String> = HashMap::from([
        ("TELEGRAM_BOT_TOKEN", "4242:test-token".to_owned()),
        ("DATABASE_URL", backend.fresh_database().await),
        ("SWITCHBOARD_LISTEN", "127.0.0.1:0".to_owned()),
        ("SWITCHBOARD_BOT_TEXTS", path.display().to_string()),
    ]);
    let settings =
        Settings::from_lookup(|name| vars.get(name).cloned()).expect("the settings parse");
    let error = match Application::build(settings).await {
        Ok(_) => panic!("a bad texts file must fail the start"),
        Err(error) => format!("{error:#}"),
    };
    assert!(error.contains("bad-texts.json"), "{error}");
    assert!(error.contains("en.greting"), "{error}");
    assert!(error.contains("SWITCHBOARD_BOT_TEXTS"), "{error}");
}

/// A message of `who` as the Telegram front door hands it over.
fn incoming(who: &Customer, update: i64, text: &str) -> IncomingMessage {
    IncomingMessage {
        update_id: UpdateId(update),
        profile: TelegramProfile {
            telegram_id: who.id,
            username: who.username.clone(),
            name: who.first_name.clone(),
            language: who.language.clone(),
        },
        chat_id: ChatId(who.id.0),
        message_id: TelegramMessageId(update),
        text: text.to_owned(),
        sent_at: Utc::now(),
        media: None,
        media_group_id: None,
        reply_to: None,
    }
}

/// Six instances of the service on the app's database.
async fn instances(app: &TestApp) -> Vec<Service> {
    let general = Service::ensure_department(&app.db().await, "General")
        .await
        .expect("the default department");
    let mut services = Vec::new();
    for i in 0..6 {
        let db = store::connect(&app.database_url)
            .await
            .expect("connecting another instance");
        services.push(Service::new(
            db,
            Hub::new(format!("other-{i}")),
            OutboxSignal::default(),
            general,
        ));
    }
    services
}

async fn concurrent_plain_messages_open_one_ticket_even_with_several_open_slots(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    let alice = app.login("alice").await;
    let ann = customer(571, "Ann");
    // The client exists (so the racers contend on the ticket, not on the client row).
    app.telegram.customer_says(&ann, "/status");
    bot_says(&app, &ann, "You have no open request.").await;

    // Several instances take plain messages of the customer at the same moment (on PostgreSQL
    // these transactions truly overlap): the database lets exactly one open a ticket.
    let services = instances(&app).await;
    let messages: Vec<IncomingMessage> = (0..6)
        .map(|i| incoming(&ann, 60_000 + i, &format!("first {i}")))
        .collect();
    let outcomes: Vec<IngestOutcome> =
        join_all(services.iter().zip(&messages).map(|(s, m)| s.ingest(m)))
            .await
            .into_iter()
            .map(|o| o.expect("every message is stored"))
            .collect();
    let opened: Vec<TicketId> = outcomes
        .iter()
        .filter_map(|o| match o {
            IngestOutcome::NewTicket(n) => Some(*n),
            _ => None,
        })
        .collect();
    assert_eq!(opened.len(), 1, "exactly one opens a ticket: {outcomes:?}");
    assert!(
        outcomes.iter().all(
            |o| matches!(o, IngestOutcome::NewTicket(n) | IngestOutcome::Appended(n) if *n == opened[0])
        ),
        "the others join it: {outcomes:?}"
    );

    // Concurrent /new commands each open a separate ticket (each in its own slot), and the
    // plain messages after them still never make a duplicate.
    let news: Vec<IncomingMessage> = (0..3).map(|i| incoming(&ann, 61_000 + i, "/new")).collect();
    for outcome in join_all(services.iter().zip(&news).map(|(s, m)| s.ingest(m))).await {
        assert!(matches!(
            outcome.expect("stored"),
            IngestOutcome::NewTicket(_)
        ));
    }
    let open: Vec<TicketView> = alice.get_json("/api/tickets").await;
    assert_eq!(open.len(), 4, "the first ticket and three from /new");
}

crate::backend_tests!(
    concurrent_plain_messages_open_one_ticket_even_with_several_open_slots,
    start_greets_in_english_and_in_russian_from_the_language_code,
    status_names_the_open_ticket_and_both_are_on_its_timeline,
    status_without_an_open_ticket_says_so_and_opens_nothing,
    new_opens_a_second_ticket_and_later_messages_go_to_the_newest,
    the_command_menu_is_registered_at_start_in_english_and_russian,
    a_403_marks_the_customer_unreachable_live_and_their_next_message_clears_it,
    a_kicked_update_marks_unreachable_and_fails_the_queued_messages_instead_of_retrying,
    an_override_file_changes_a_text,
    a_bad_override_file_fails_at_start_naming_the_file_and_the_key,
);
