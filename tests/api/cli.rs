//! The command line creates departments and agents who can then log in.

use std::process::Stdio;

use switchboard::domain::Role;
use tokio::{io::AsyncWriteExt, process::Command};

use crate::support::{Backend, Session, spawn_app};

pub(crate) async fn switchboard(database_url: &str, args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running the switchboard binary");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.as_bytes())
        .await
        .expect("writing stdin");
    drop(input);
    let output = child
        .wait_with_output()
        .await
        .expect("switchboard finished");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

async fn agents_added_on_the_command_line_can_log_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = &app.database_url;

    let (ok, out) = switchboard(db, &["department", "add", "Billing"], "").await;
    assert!(ok, "{out}");
    let add = [
        "agent",
        "add",
        "--login",
        "carol",
        "--name",
        "Carol C",
        "--role",
        "supervisor",
        "--department",
        "Billing",
        "--password-stdin",
    ];
    let (ok, out) = switchboard(db, &add, "carol-password\n").await;
    assert!(ok, "{out}");

    let carol = Session::login(&app.address, &app.origin, "carol", "carol-password").await;
    assert_eq!(carol.agent.name, "Carol C");
    assert_eq!(carol.agent.role, Role::Supervisor);
    assert_eq!(carol.agent.departments[0].name, "Billing");

    let (ok, out) = switchboard(db, &add, "another\n").await;
    assert!(!ok && out.contains("login \"carol\" is taken"), "{out}");
    let unknown = [
        "agent",
        "add",
        "--login",
        "dan",
        "--name",
        "Dan",
        "--department",
        "Nowhere",
        "--password-stdin",
    ];
    let (ok, out) = switchboard(db, &unknown, "dan-password\n").await;
    assert!(
        !ok && out.contains("no department called \"Nowhere\""),
        "{out}"
    );
    let (ok, out) = switchboard(
        db,
        &[
            "agent",
            "add",
            "--login",
            "eve",
            "--name",
            "Eve",
            "--role",
            "root",
            "--password-stdin",
        ],
        "x\n",
    )
    .await;
    assert!(!ok && out.contains("unknown role"), "{out}");
}

async fn departments_are_added_edited_and_listed_on_the_command_line(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = &app.database_url;
    let add = [
        "department",
        "add",
        "Billing",
        "--label",
        "Billing & payments",
        "--slug",
        "pay",
        "--position",
        "5",
    ];
    let (ok, out) = switchboard(db, &add, "").await;
    assert!(ok, "{out}");
    let (ok, out) = switchboard(db, &["department", "add", "Archive", "--closed"], "").await;
    assert!(ok, "{out}");
    let (ok, out) = switchboard(
        db,
        &["department", "add", "Sales", "--slug", "Bad Slug"],
        "",
    )
    .await;
    assert!(
        !ok && out.contains("a department slug has 1 to 32 characters"),
        "{out}"
    );
    let (ok, out) = switchboard(db, &["department", "add", "Other", "--slug", "pay"], "").await;
    assert!(!ok && out.contains("the slug \"pay\" is taken"), "{out}");

    let edit = [
        "department",
        "edit",
        "pay",
        "--name",
        "Payments",
        "--position",
        "-1",
    ];
    let (ok, out) = switchboard(db, &edit, "").await;
    assert!(ok, "{out}");
    let (ok, out) = switchboard(db, &["department", "edit", "archive", "--open"], "").await;
    assert!(ok, "{out}");
    let (ok, out) = switchboard(db, &["department", "edit", "nowhere", "--open"], "").await;
    assert!(!ok && out.contains("no department \"nowhere\""), "{out}");

    let (ok, out) = switchboard(db, &["department", "list"], "").await;
    assert!(ok, "{out}");
    let rows: Vec<Vec<&str>> = out
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    let slugs: Vec<&str> = rows.iter().map(|r| r[3]).collect();
    assert_eq!(slugs, ["pay", "general", "archive"], "by position:\n{out}");
    assert_eq!(&rows[0][2..5], ["yes", "pay", "Payments"], "{out}");
    assert_eq!(rows[2][2], "yes", "Archive was opened:\n{out}");
    assert!(out.contains("Billing & payments"), "{out}");
}

async fn serve_without_a_token_stops_naming_the_variable(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    command
        .arg("serve")
        .env("DATABASE_URL", &app.database_url)
        .env_remove("TELEGRAM_BOT_TOKEN");
    let output = command.output().await.expect("running serve");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("TELEGRAM_BOT_TOKEN"));
}

crate::backend_tests!(
    agents_added_on_the_command_line_can_log_in,
    departments_are_added_edited_and_listed_on_the_command_line,
    serve_without_a_token_stops_naming_the_variable
);
