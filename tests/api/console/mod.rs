//! The console in a real headless Chromium: log in, a ticket arrives with the alert sound on every
//! console, Accept shows "Accepted by" everywhere, the owner replies and the customer receives it.
//! `workday`: an operator's day across three consoles; `lost_race`: a reassign that came too late;
//! `history`: notes edited and deleted live, History search and a closed ticket read-only;
//! `alerts`: the alert repeats while a ticket waits, stops once accepted, and a hidden tab is
//! notified. `admin`: the Admin page creates an agent and disabling them closes their console.
//! `board`: the supervisor board follows a ticket live and takes it over; breaches alert.
//! `reports`: the Reports dialog with ratings. `long_lists`: a queue and History longer than a page. `screenshots` (ignored; run with `--ignored`)
//! takes docs/guide/*.png from the demo.

mod admin;
mod alerts;
mod bidi;
mod board;
mod dead_letters;
mod hands;
mod history;
mod long_lists;
mod lost_race;
mod media;
mod older;
mod reports;
mod resume;
mod screenshots;
mod session;
mod timers;
mod unreachable;
mod upload;
mod workday;

use crate::support::{
    Backend, WAIT,
    browser::{Browser, Page},
    customer, password_of, skip_or_fail, spawn_app,
};

/// Fails the test with what the page logged, which is what one needs to see in CI.
fn fail(page: &Page, what: &str, error: anyhow::Error) -> ! {
    panic!("{what}: {error:#}\nconsole log: {:#?}", page.console_log());
}

/// How long a browser step may take: a page, its scripts and its live connection share two
/// cores with the server and the other tests, so this is longer than `WAIT`.
const BROWSER_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// What the page showed when a step failed: which view, the live connection's state, the login
/// form's error and whether its fields held text, and the last sockets' states.
const PAGE_STATE: &str = "JSON.stringify({\
  login_view: !document.querySelector('#login-view')?.hidden,\
  console_view: !document.querySelector('#console-view')?.hidden,\
  connection: document.querySelector('#connection')?.dataset.state,\
  login_error: document.querySelector('#login-error')?.textContent,\
  login_typed: (document.querySelector('#login-login')?.value || '').length,\
  password_typed: (document.querySelector('#login-password')?.value || '').length,\
  submit_disabled: document.querySelector('#login-submit')?.disabled,\
  me: document.querySelector('#me')?.textContent,\
  notice: document.querySelector('#notice')?.textContent,\
})";

async fn step(page: &Page, what: &str, js: &str) -> serde_json::Value {
    match page.wait_for(js, BROWSER_WAIT).await {
        Ok(value) => value,
        Err(error) => {
            let seen = page.eval(PAGE_STATE).await.unwrap_or_default();
            fail(page, what, error.context(format!("the page showed {seen}")))
        }
    }
}

/// Clicks `selector` like a person would (a real click at its centre).
async fn click(page: &Page, what: &str, selector: &str) {
    page.click(selector)
        .await
        .unwrap_or_else(|e| fail(page, what, e));
}

/// Types `text` into `selector`, key by key.
async fn type_into(page: &Page, what: &str, selector: &str, text: &str) {
    page.type_into(selector, text)
        .await
        .unwrap_or_else(|e| fail(page, what, e));
}

/// Evaluates `js` once and returns its value.
async fn eval(page: &Page, what: &str, js: &str) -> serde_json::Value {
    page.eval(js).await.unwrap_or_else(|e| fail(page, what, e))
}

/// The selector of ticket `number`'s card in the queue.
fn queue_row(number: impl std::fmt::Display) -> String {
    format!("#queue li.ticket[data-ticket-id='{number}']")
}

/// Waits until ticket `number` is listed in the queue, then opens it with a click; returns its
/// card's selector.
async fn open_from_queue(page: &Page, number: impl std::fmt::Display) -> String {
    let row = queue_row(number);
    step(
        page,
        "the ticket is listed",
        &format!("document.querySelector(\"{row}\")"),
    )
    .await;
    click(page, "opening the ticket", &row).await;
    row
}

/// Opens the Reassign dialog of the open ticket and waits until it has loaded the departments.
async fn open_reassign(page: &Page, what: &str) {
    click(page, what, "#chat-reassign").await;
    step(
        page,
        "the Reassign dialog open with the departments loaded",
        "document.querySelector('#reassign-dialog').open && document.querySelector('#reassign-dialog').dataset.loading === 'false'",
    )
    .await;
}

/// How many times the page played the alert so far.
async fn alert_plays(page: &Page) -> i64 {
    eval(page, "counting alerts", "window.alertPlays")
        .await
        .as_i64()
        .unwrap_or_default()
}

/// Opens the console in its own browser (its own cookies) and logs in with real clicks.
async fn logged_in_console(browser: &Browser, address: &str, login: &str) -> Page {
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
    page.type_into("#login-login", login)
        .await
        .unwrap_or_else(|e| fail(&page, "typing the login", e));
    page.type_into("#login-password", &password_of(login))
        .await
        .unwrap_or_else(|e| fail(&page, "typing the password", e));
    page.click("#login-submit")
        .await
        .unwrap_or_else(|e| fail(&page, "clicking log in", e));
    step(&page, "console shown and live", "!document.querySelector('#console-view').hidden && document.querySelector('#connection').dataset.state === 'open'").await;
    // Count the alert's play events from now on.
    page.eval("(window.alertPlays = 0, document.querySelector('#alert-sound').addEventListener('play', () => window.alertPlays++), true)")
        .await
        .unwrap_or_else(|e| fail(&page, "listening for the alert", e));
    page
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_hear_a_new_ticket_one_accepts_everyone_sees_who_and_the_owner_replies() {
    let (Some(alice_browser), Some(bob_browser)) = (
        Browser::launch().await.expect("launching Chromium"),
        Browser::launch().await.expect("launching Chromium"),
    ) else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.add_agent("alice", switchboard::domain::Role::Agent, &["General"])
        .await;
    app.add_agent("bob", switchboard::domain::Role::Agent, &["General"])
        .await;
    let alice = logged_in_console(&alice_browser, &app.address, "alice").await;
    let bob = logged_in_console(&bob_browser, &app.address, "bob").await;

    let ann = customer(7001, "Ann");
    let number = app
        .customer_opens_ticket(&ann, "<b>Hello</b> from Telegram")
        .await;
    let row = queue_row(number);
    for page in [&alice, &bob] {
        step(
            page,
            "ticket row shown",
            &format!("document.querySelector(\"{row} button.accept\")"),
        )
        .await;
        step(page, "the alert sound played", "window.alertPlays >= 1").await;
    }
    let shown = alice
        .eval(&format!(
            "(() => {{ const r = document.querySelector(\"{row}\"); return ['.ticket-username', '.ticket-client-id', \
             '.ticket-department', '.ticket-platform', '.ticket-status'].map(s => r.querySelector(s).textContent); }})()"
        ))
        .await
        .unwrap_or_else(|e| fail(&alice, "reading the row", e));
    let shown: Vec<String> = serde_json::from_value(shown).expect("row texts");
    assert!(
        shown[0].contains("ann") && shown[1].contains("7001"),
        "{shown:?}"
    );
    assert!(
        shown[2].contains("General") && shown[3].contains("telegram"),
        "{shown:?}"
    );
    assert!(shown[4].to_lowercase().contains("pending"), "{shown:?}");

    alice
        .click(&format!("{row} button.accept"))
        .await
        .unwrap_or_else(|e| fail(&alice, "clicking Accept", e));
    for page in [&alice, &bob] {
        let accepted = format!(
            "document.querySelector(\"{row} .ticket-owner\")?.textContent.includes('Accepted by: Alice') \
             && !document.querySelector(\"{row} button.accept\")"
        );
        step(page, "Accepted by: Alice shown, Accept gone", &accepted).await;
    }

    step(
        &alice,
        "reply box shown to the owner",
        "!document.querySelector('#reply-form').hidden",
    )
    .await;
    step(&alice, "the customer's message shown as text", "document.querySelector('#chat-history').textContent.includes('<b>Hello</b> from Telegram')").await;
    let bold = alice
        .eval("document.querySelectorAll('#chat-history b').length")
        .await
        .unwrap_or_else(|e| fail(&alice, "markup", e));
    assert_eq!(bold, 0, "customer text never becomes markup");
    bob.click(&row)
        .await
        .unwrap_or_else(|e| fail(&bob, "opening the ticket", e));
    step(&bob, "bob sees the chat read-only", "document.querySelector('#chat-history')?.textContent.includes('from Telegram') && document.querySelector('#reply-form').hidden").await;

    alice
        .type_into("#reply-text", "Hi Ann, looking into it")
        .await
        .unwrap_or_else(|e| fail(&alice, "typing the reply", e));
    alice
        .click("#reply-send")
        .await
        .unwrap_or_else(|e| fail(&alice, "sending", e));
    let sent = app
        .telegram
        .wait_for_message_to(ann.chat(), "Hi Ann, looking into it", WAIT)
        .await;
    assert!(
        sent.is_some(),
        "the customer received the reply on Telegram"
    );
    step(&alice, "delivery shown as sent", "[...document.querySelectorAll('#chat-history .message.out .message-delivery')].some(e => e.textContent.includes('sent'))").await;

    app.telegram.customer_says(&ann, "Thank you!");
    step(
        &alice,
        "the customer's answer appears live",
        "document.querySelector('#chat-history').textContent.includes('Thank you!')",
    )
    .await;
    if let Ok(dir) = std::env::var("SWITCHBOARD_SCREENSHOTS") {
        let _ = alice
            .screenshot(&std::path::Path::new(&dir).join("console-alice.png"))
            .await;
        let _ = bob
            .screenshot(&std::path::Path::new(&dir).join("console-bob.png"))
            .await;
    }
}
