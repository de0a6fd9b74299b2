//! `switchboard demo` end to end: simulated customers open tickets, an agent accepts and answers,
//! and the simulated customer answers back.

use std::process::Stdio;

use switchboard::domain::Direction;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::Command,
};

use crate::support::{Session, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_serves_simulated_customers_whom_an_agent_can_answer() {
    let database = std::env::temp_dir().join(format!(
        "sb_demo_{}.db",
        switchboard::service::instance_name()
    ));
    let mut demo = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["demo", "--listen", "127.0.0.1:0", "--customer-every", "1"])
        .arg("--database-url")
        .arg(format!("sqlite://{}?mode=rwc", database.display()))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starting the demo");
    let mut lines = BufReader::new(demo.stdout.take().expect("stdout")).lines();
    let address = tokio::time::timeout(WAIT, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.strip_prefix("Switchboard demo: open ") {
                return rest
                    .split_whitespace()
                    .next()
                    .expect("url")
                    .trim_end_matches('/')
                    .to_owned();
            }
        }
        panic!("the demo exited before serving");
    })
    .await
    .expect("the demo started");

    let alice = Session::login(
        &address,
        &address,
        "alice",
        switchboard::demo::DEMO_PASSWORD,
    )
    .await;
    let mut ws = alice.ws().await;
    let (_, created) = ws.expect_ticket_created().await;
    let ticket = created.id;
    assert_eq!(alice.accept(ticket).await.status, 200);
    assert_eq!(
        alice.reply(ticket, "Hello from the demo test").await.status,
        201
    );

    // The simulated customer answers the reply (its first follow-up line) with a file attached:
    // a photo, a voice note or a document, which the console can fetch.
    let answer = loop {
        let (_, message) = ws.expect_message_created().await;
        if message.ticket_id == ticket
            && message.direction == Direction::In
            && message.text == "Order number is 48213, if that helps."
        {
            break message;
        }
    };
    assert!(answer.media.is_some(), "{answer:?}");
    let (status, _, bytes) = alice
        .get_bytes(&format!("/api/messages/{}/file", answer.id))
        .await;
    assert_eq!(status.as_u16(), 200);
    assert!(!bytes.is_empty());
    drop(demo);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
    }
}
