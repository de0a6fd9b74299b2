//! The operator's guide's screenshots (docs/guide/*.png), taken from the demo: `switchboard demo`
//! (its simulated Telegram and customers) plus an admin added with the command line, driven in
//! headless Chromium at 1280x800 as an agent (carol), a supervisor (sam) and the admin (ada).
//! Ignored by default; run it after changing the console:
//!
//! ```sh
//! cargo test --test api screenshots -- --ignored
//! ```
//!
//! `SWITCHBOARD_GUIDE_DIR` writes them elsewhere than docs/guide.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
};

use switchboard::demo::DEMO_PASSWORD;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

use super::{BROWSER_WAIT, click, eval, fail, skip_or_fail, step, type_into};
use crate::support::{
    WAIT,
    browser::{Browser, Page},
};

/// The admin the demo does not have; added with `switchboard agent add`.
const ADMIN: &str = "ada";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes docs/guide/*.png; run with --ignored after changing the console"]
async fn screenshots_of_every_screen_for_the_guide() {
    let out = std::env::var_os("SWITCHBOARD_GUIDE_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guide"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&out).expect("creating the screenshots' folder");
    let database = std::env::temp_dir().join(format!(
        "sb_guide_{}.db",
        switchboard::service::instance_name()
    ));
    let database_url = format!("sqlite://{}?mode=rwc", database.display());
    let (demo, address) = start_demo(&database_url).await;
    let (added, output) = crate::cli::switchboard(
        &database_url,
        &[
            "agent",
            "add",
            "--login",
            ADMIN,
            "--name",
            "Ada Admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        &format!("{DEMO_PASSWORD}\n"),
    )
    .await;
    assert!(added, "adding the admin: {output}");

    let Some(browser) = Browser::launch().await.expect("launching Chromium") else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    agent_screens(&browser, &address, &out).await;
    drop(browser);
    let browser = Browser::launch()
        .await
        .expect("launching Chromium")
        .expect("Chromium");
    supervisor_screens(&browser, &address, &out).await;
    drop(browser);
    let browser = Browser::launch()
        .await
        .expect("launching Chromium")
        .expect("Chromium");
    admin_screens(&browser, &address, &out).await;
    drop(browser);

    drop(demo);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
    }
}

/// Starts `switchboard demo` on a free port with a customer every 5 s; returns it (killed on
/// drop) and its address.
async fn start_demo(database_url: &str) -> (Child, String) {
    let mut demo = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["demo", "--listen", "127.0.0.1:0", "--customer-every", "5"])
        .arg("--database-url")
        .arg(database_url)
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
                    .trim_end_matches(['/', '.'])
                    .to_owned();
            }
        }
        panic!("the demo exited before serving");
    })
    .await
    .expect("the demo started");
    // Keep reading its output so that it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (demo, address)
}

async fn shot(page: &Page, out: &Path, name: &str) {
    // Let transitions and the last frame of a list settle before the picture.
    page.wait_for(
        "new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))",
        BROWSER_WAIT,
    )
    .await
    .unwrap_or_else(|e| fail(page, "waiting for a frame", e));
    page.screenshot(&out.join(format!("{name}.png")))
        .await
        .unwrap_or_else(|e| fail(page, &format!("taking {name}.png"), e));
}

/// Opens the console and logs in as `login` with the demo password; with `out`, the filled-in
/// form is the login screenshot.
async fn log_in(browser: &Browser, address: &str, login: &str, out: Option<&Path>) -> Page {
    let page = browser
        .new_page(address)
        .await
        .expect("opening the console");
    step(
        &page,
        "login form shown",
        "!document.querySelector('#login-view').hidden",
    )
    .await;
    type_into(&page, "typing the login", "#login-login", login).await;
    type_into(
        &page,
        "typing the password",
        "#login-password",
        DEMO_PASSWORD,
    )
    .await;
    if let Some(out) = out {
        shot(&page, out, "login").await;
    }
    click(&page, "logging in", "#login-submit").await;
    step(
        &page,
        "console shown and live",
        "!document.querySelector('#console-view').hidden && document.querySelector('#connection').dataset.state === 'open'",
    )
    .await;
    page
}

/// carol (an agent in both departments): the queue, a chat, notes, the dialogs, history,
/// settings and the shortcuts.
async fn agent_screens(browser: &Browser, address: &str, out: &Path) {
    let page = log_in(browser, address, "carol", Some(out)).await;
    let pending = "#queue li.ticket[data-status='pending']";
    step(
        &page,
        "two tickets wait",
        &format!("document.querySelectorAll(\"{pending}\").length >= 2"),
    )
    .await;
    shot(&page, out, "queue").await;

    let id = eval(
        &page,
        "the oldest waiting ticket",
        &format!("document.querySelector(\"{pending}\").dataset.ticketId"),
    )
    .await;
    let id = id.as_str().expect("a ticket id").to_owned();
    let row = format!("#queue li.ticket[data-ticket-id='{id}']");
    click(&page, "accepting", &format!("{row} button.accept")).await;
    step(
        &page,
        "carol owns it",
        "!document.querySelector('#reply-form').hidden && !document.querySelector('#chat-close').hidden",
    )
    .await;
    type_into(
        &page,
        "typing a reply",
        "#reply-text",
        "Hello! I'm sorry about that. Could you send me your order number?",
    )
    .await;
    click(&page, "sending", "#reply-send").await;
    step(
        &page,
        "the customer answers with a file",
        "document.querySelector('#chat-history li.message.in .message-media')",
    )
    .await;
    type_into(
        &page,
        "typing the next reply",
        "#reply-text",
        "Thanks, I found order 48213. ",
    )
    .await;
    shot(&page, out, "chat").await;

    click(&page, "opening the notes", "#chat-notes").await;
    type_into(
        &page,
        "typing a note",
        "#note-text",
        "Prefers e-mail follow-ups. Order 48213 was sent twice.",
    )
    .await;
    click(&page, "adding the note", "#note-add").await;
    step(
        &page,
        "the note is listed",
        "document.querySelector('#notes-list .note')",
    )
    .await;
    shot(&page, out, "notes").await;
    click(&page, "closing the notes", "#notes-hide").await;

    click(&page, "waiting for the customer", "#chat-hold-waiting").await;
    step(
        &page,
        "the hold badge",
        "!document.querySelector('#chat-hold').hidden",
    )
    .await;
    shot(&page, out, "waiting").await;

    click(&page, "opening Reassign", "#chat-reassign").await;
    step(
        &page,
        "the Reassign dialog open with the departments loaded",
        "document.querySelector('#reassign-dialog').open && document.querySelector('#reassign-dialog').dataset.loading === 'false'",
    )
    .await;
    shot(&page, out, "reassign").await;
    click(&page, "cancelling", "#reassign-cancel").await;

    click(&page, "opening Close", "#chat-close").await;
    step(
        &page,
        "the Close dialog",
        "document.querySelector('#close-dialog').open",
    )
    .await;
    click(
        &page,
        "choosing Resolved",
        "#close-reasons input[value='resolved']",
    )
    .await;
    type_into(
        &page,
        "typing the comment",
        "#close-comment",
        "Duplicate shipment, refund issued",
    )
    .await;
    shot(&page, out, "close").await;
    click(&page, "closing", "#close-submit").await;
    step(
        &page,
        "the dialog closed",
        "!document.querySelector('#close-dialog').open",
    )
    .await;

    click(&page, "opening History", "#tab-history").await;
    let history_row = format!("#history-list .history-row[data-ticket-id='{id}']");
    step(
        &page,
        "the closed ticket is listed",
        &format!("document.querySelector(\"{history_row}\")"),
    )
    .await;
    click(&page, "opening it", &format!("{history_row} .history-open")).await;
    // The simulated customer presses a star a second after the bot asks, then comments.
    step(
        &page,
        "the rating and its comment are shown, the notice gone",
        "document.querySelector('#chat-rating .chat-rating-comment') && document.querySelector('#notice').hidden",
    )
    .await;
    shot(&page, out, "history").await;

    click(&page, "opening Settings", "#settings-button").await;
    step(
        &page,
        "the Settings dialog",
        "document.querySelector('#settings-dialog').open",
    )
    .await;
    shot(&page, out, "settings").await;
    click(&page, "closing Settings", "#settings-done").await;

    click(&page, "opening the shortcuts", "#help-button").await;
    step(
        &page,
        "the shortcuts",
        "!document.querySelector('#shortcuts-help').hidden",
    )
    .await;
    shot(&page, out, "shortcuts").await;
}

/// sam (a supervisor): the queue of every department, the Reports dialog.
async fn supervisor_screens(browser: &Browser, address: &str, out: &Path) {
    let page = log_in(browser, address, "sam", None).await;
    step(
        &page,
        "the queue",
        "document.querySelector('#queue li.ticket')",
    )
    .await;
    click(&page, "opening Reports", "#reports-button").await;
    step(
        &page,
        "the report",
        "document.querySelector('#reports-dialog').open && document.querySelector('#reports-table tbody tr') && document.querySelector('#reports-chart svg')",
    )
    .await;
    shot(&page, out, "reports").await;
    click(&page, "closing Reports", "#reports-done").await;
    click(&page, "opening the board", "#board-button").await;
    step(
        &page,
        "the supervisor board",
        "document.querySelector('#sboard-list .sboard-department .sboard-agent')",
    )
    .await;
    shot(&page, out, "board").await;
}

/// ada (the admin): every tab of the Admin page, a department's hours and timers, dead letters.
async fn admin_screens(browser: &Browser, address: &str, out: &Path) {
    let page = log_in(browser, address, ADMIN, None).await;
    click(&page, "opening Admin", "#admin-button").await;
    for (tab, ready) in [
        ("agents", "[data-testid=admin-agent]"),
        ("departments", "[data-testid=admin-department]"),
        ("canned", "[data-testid=admin-canned-row]"),
        ("texts", "[data-testid=admin-bot-text]"),
        ("audit", "[data-testid=admin-audit]"),
    ] {
        click(
            &page,
            &format!("opening the {tab} tab"),
            &format!("[data-testid=admin-tab-{tab}]"),
        )
        .await;
        step(
            &page,
            &format!("the {tab} tab"),
            &format!("document.querySelector('#admin-dialog {ready}')"),
        )
        .await;
        shot(&page, out, &format!("admin-{tab}")).await;
    }
    click(&page, "closing Admin", "[data-testid=admin-done]").await;

    click(
        &page,
        "opening Hours & timers",
        "[data-testid=department-hours]",
    )
    .await;
    step(
        &page,
        "the Hours & timers dialog",
        "document.querySelector('#dept-hours-dialog').open",
    )
    .await;
    shot(&page, out, "hours").await;
    page.press_key("Escape")
        .await
        .unwrap_or_else(|e| fail(&page, "closing Hours & timers", e));
    step(
        &page,
        "the dialog closed",
        "!document.querySelector('#dept-hours-dialog').open",
    )
    .await;

    click(&page, "opening Dead letters", "#dead-letters-button").await;
    step(
        &page,
        "the Dead letters dialog",
        "document.querySelector('#dead-letters-dialog').open",
    )
    .await;
    shot(&page, out, "dead-letters").await;
}
