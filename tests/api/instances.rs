//! Several Switchboard processes on one database: the database decides races, and on PostgreSQL
//! live events reach consoles connected to any instance.

use std::{process::Stdio, time::Duration};

use futures_util::future::join_all;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

use switchboard::{domain::UpdateId, simulator::FakeTelegram, views::TicketView};

use crate::support::{Backend, WAIT, customer, spawn_app};

/// A second Switchboard server, run from the built binary as its own process.
pub(crate) struct Instance {
    pub(crate) address: String,
    child: Child,
    _telegram: FakeTelegram,
}

impl Instance {
    /// A second instance with a bot of its own.
    pub(crate) async fn start(database_url: &str) -> Self {
        Self::start_with_env(database_url, &[]).await
    }

    /// A second instance with a bot of its own and these extra environment variables.
    pub(crate) async fn start_with_env(database_url: &str, env: &[(&str, &str)]) -> Self {
        let telegram = FakeTelegram::start("4243:second-instance")
            .await
            .expect("fake Bot API");
        Self::start_with(database_url, telegram, env).await
    }

    /// Kills the process at once (SIGKILL): it cleans nothing up, as when a machine dies.
    pub(crate) async fn kill(&mut self) {
        self.child
            .kill()
            .await
            .expect("killing the second instance");
    }

    /// A second instance of the same bot (the same fake Telegram).
    pub(crate) async fn start_with(
        database_url: &str,
        telegram: FakeTelegram,
        env: &[(&str, &str)],
    ) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("TELEGRAM_BOT_TOKEN", telegram.token())
            .env("TELEGRAM_API_URL", telegram.api_url().as_str())
            .env("SWITCHBOARD_LISTEN", "127.0.0.1:0")
            .env_remove("SWITCHBOARD_PUBLIC_URL")
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("starting the switchboard binary");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let address = tokio::time::timeout(WAIT, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix("Switchboard console: ") {
                    return url.trim_end_matches('/').to_owned();
                }
            }
            panic!("the second instance exited before serving");
        })
        .await
        .expect("the second instance started");
        Self {
            address,
            child,
            _telegram: telegram,
        }
    }
}

async fn accepts_racing_on_two_server_processes_have_exactly_one_winner(backend: Backend) {
    let app = spawn_app(backend).await;
    // The ticket opens before the second instance starts: it is a bot of its own on the same
    // database, so its sender could take the acknowledgement and send it to its own fake Telegram.
    let number = app
        .customer_opens_ticket(&customer(6001, "Ann"), "race me")
        .await;
    let second = Instance::start(&app.database_url).await;
    let mut sessions = Vec::new();
    for i in 0..20 {
        let session = app.agent(&format!("agent{i:02}")).await;
        sessions.push(if i % 2 == 0 {
            session
        } else {
            session.on(&second.address)
        });
    }

    let replies = join_all(sessions.iter().map(|s| s.accept(number))).await;

    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        19,
        "{statuses:?}"
    );
    let winner = replies
        .iter()
        .find(|r| r.status == 200)
        .map(|r| r.json::<TicketView>().owner.expect("the winner owns it").id);
    assert!(winner.is_some());
    for refusal in replies.iter().filter(|r| r.status == 409) {
        assert_eq!(refusal.error().owner.map(|o| o.id), winner, "{refusal:?}");
    }
}

async fn accepts_on_one_instance_racing_a_reassign_on_another_have_exactly_one_winner(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    // Every ticket opens before the second instance (a bot of its own) could send its
    // acknowledgement to its own fake Telegram.
    let mut numbers = Vec::new();
    for round in 0..4 {
        numbers.push(
            app.customer_opens_ticket(&customer(6300 + round, "Ann"), "race me across")
                .await,
        );
    }
    let second = Instance::start(&app.database_url).await;
    let billing = app.add_department("Billing").await;
    let mut accepters = Vec::new();
    for i in 0..6 {
        accepters.push(app.agent(&format!("agent{i}")).await);
    }
    app.add_agent("sam", switchboard::domain::Role::Supervisor, &[])
        .await;
    let sam = app.login("sam").await.on(&second.address);
    let general = accepters[0].agent.departments[0].id;
    for number in numbers {
        let body = serde_json::json!({
            "department_id": billing,
            "expected": {"department_id": general, "owner_id": null},
        });
        let path = format!("/api/tickets/{number}/reassign");
        let (accepts, moved) = tokio::join!(
            join_all(accepters.iter().map(|a| a.accept(number))),
            sam.post(&path, body),
        );
        let statuses: Vec<u16> = accepts
            .iter()
            .chain([&moved])
            .map(|r| r.status.as_u16())
            .collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 200 || *s == 409),
            "{statuses:?}"
        );
        let ticket: TicketView = sam.get_json(&format!("/api/tickets/{number}")).await;
        if moved.status == 200 {
            assert_eq!(ticket.department.id, billing);
            assert_eq!(ticket.owner, None);
        } else {
            assert_eq!(ticket.department.id, general);
            assert!(ticket.owner.is_some());
        }
    }
}

crate::backend_tests!(
    accepts_racing_on_two_server_processes_have_exactly_one_winner,
    accepts_on_one_instance_racing_a_reassign_on_another_have_exactly_one_winner,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_live_events_reach_consoles_on_another_instance() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = spawn_app(backend).await;
    // The same bot (one poller holds the lock), so whichever instance sends the acknowledgement,
    // the customer gets it.
    let second = Instance::start_with(&app.database_url, app.telegram.clone(), &[]).await;
    let alice = app.agent("alice").await;
    let bob_here = app.agent("bob").await;
    let mut bob_there = bob_here.on(&second.address).ws().await;

    let number = app
        .customer_opens_ticket(&customer(6002, "Ann"), "across instances")
        .await;
    assert_eq!(bob_there.expect_ticket_created().await.1.id, number);
    alice.accept(number).await;
    let updated = bob_there.expect_ticket_updated().await;
    assert_eq!(updated.owner.map(|o| o.name).as_deref(), Some("Alice"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_one_instance_polls_the_bot_and_another_takes_over_when_it_stops() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let mut app = spawn_app(backend).await;
    let sam = {
        app.add_agent("sam", switchboard::domain::Role::Supervisor, &[])
            .await;
        app.login("sam").await
    };
    // Let the first instance take the poller lock before the second starts.
    assert!(
        app.telegram
            .wait_for_call(WAIT, |c| c.method == "getupdates")
            .await
            .is_some()
    );
    let second = Instance::start_with(&app.database_url, app.telegram.clone(), &[]).await;

    let mut last = UpdateId(0);
    for i in 0..20 {
        last = app
            .telegram
            .customer_says(&customer(6100 + i, "Many"), "one of many");
    }
    assert!(app.telegram.wait_confirmed(last, WAIT).await);
    // The second instance (whose polls wait 10 s, the default) stands by: no poll of its own in
    // two seconds, and no poll ended by another.
    let second_polled = app
        .telegram
        .wait_for_call(Duration::from_secs(2), |c| {
            c.method == "getupdates" && c.body["timeout"] == 10
        })
        .await;
    assert!(second_polled.is_none(), "the standby instance did not poll");
    assert_eq!(
        app.telegram.conflicts(),
        0,
        "only one instance polled the bot"
    );
    assert_eq!(
        sam.get_json::<Vec<TicketView>>("/api/tickets").await.len(),
        20
    );

    app.stop().await;
    let late = customer(6200, "Late");
    app.telegram.customer_says(&late, "anyone there?");
    let ack = app
        .telegram
        .wait_for_message_to(late.chat(), "Your request is ticket #", WAIT)
        .await;
    assert!(ack.is_some(), "the second instance took over polling");
    let on_second: Vec<TicketView> = sam.on(&second.address).get_json("/api/tickets").await;
    assert_eq!(on_second.len(), 21);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_note_events_reach_consoles_on_another_instance() {
    use switchboard::{
        hub::{Event, ServerFrame},
        views::NoteView,
    };
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = spawn_app(backend).await;
    // The same bot (one poller holds the lock), so whichever instance sends the acknowledgement,
    // the customer gets it.
    let second = Instance::start_with(&app.database_url, app.telegram.clone(), &[]).await;
    let alice = app.agent("alice").await;
    let bob_here = app.agent("bob").await;
    let mut bob_there = bob_here.on(&second.address).ws().await;
    let number = app
        .customer_opens_ticket(&customer(6003, "Ann"), "notes across instances")
        .await;
    let ticket: TicketView = alice.get_json(&format!("/api/tickets/{number}")).await;

    let note: NoteView = alice
        .post(
            &format!("/api/clients/{}/notes", ticket.client.id),
            serde_json::json!({"text": "call back after 5pm"}),
        )
        .await
        .expect(201);

    let (heard, count) = bob_there
        .expect("note.created on the other instance", |frame| match frame {
            ServerFrame::Event(event) => match event.event {
                Event::NoteCreated { note, notes_count } => Some((note, notes_count)),
                _ => None,
            },
            _ => None,
        })
        .await;
    assert_eq!(
        (heard.id, heard.text.as_str(), count),
        (note.id, "call back after 5pm", 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_two_instances_draining_one_outbox_send_each_message_once_and_in_order_per_chat()
 {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    // The first instance queues the replies while its sender barely sends.
    let slow = switchboard::limits::Limits {
        telegram_per_second: 1,
        address_burst: 1000,
        ..switchboard::limits::Limits::default()
    };
    let mut app = crate::support::spawn_app_with_limits(backend, slow).await;
    let alice = app.agent("alice").await;
    let chats = 20;
    let per_chat = 15;
    let mut people = Vec::new();
    for n in 0..chats {
        let who = customer(6300 + n, &format!("Race{n}"));
        let number = app.customer_opens_ticket(&who, "hello").await;
        alice.accept(number).await;
        people.push((who, number));
    }
    for round in 0..per_chat {
        for (_, number) in &people {
            alice
                .reply(*number, &format!("reply {round}"))
                .await
                .expect::<serde_json::Value>(201);
        }
    }
    app.stop().await;

    // Two instances of the same bot, with a 1 ms per-chat interval, sending 200 a second
    // each (so that one alone needs more than a second and they overlap), race for the outbox.
    let unpaced = [
        ("TELEGRAM_CHAT_INTERVAL_MS", "1"),
        ("TELEGRAM_MESSAGES_PER_SECOND", "200"),
    ];
    let _one = Instance::start_with(&app.database_url, app.telegram.clone(), &unpaced).await;
    let _two = Instance::start_with(&app.database_url, app.telegram.clone(), &unpaced).await;
    let last = format!("reply {}", per_chat - 1);
    for (who, _) in &people {
        let chat = who.chat().0;
        let sent = app
            .telegram
            .wait_for_sent(Duration::from_secs(60), |m| {
                m["chat"]["id"].as_i64() == Some(chat) && m["text"].as_str() == Some(last.as_str())
            })
            .await;
        assert!(sent.is_some(), "the replies reach {}", who.first_name);
    }
    // Anything sent twice would have been sent by now: wait for the outbox to be empty.
    let db = sea_orm::Database::connect(&app.database_url)
        .await
        .expect("database");
    for _ in 0..100 {
        let waiting = switchboard::store::gauges::read(&db).await;
        if waiting.is_ok_and(|g| g.outbox.0 == 0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sent = app.telegram.bot_messages();
    for (who, _) in &people {
        let replies: Vec<&str> = sent
            .iter()
            .filter(|m| m["chat"]["id"].as_i64() == Some(who.chat().0))
            .filter_map(|m| m["text"].as_str())
            .filter(|t| t.starts_with("reply "))
            .collect();
        let expected: Vec<String> = (0..per_chat).map(|n| format!("reply {n}")).collect();
        assert_eq!(
            replies, expected,
            "each reply once and in order for {}",
            who.first_name
        );
    }
}
