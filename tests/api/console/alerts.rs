//! Alerts in a real Chromium: with the agent's repeat set to one second on the server, a Pending
//! ticket sounds the alert again and again until it is accepted, then never again; the title
//! counts it; and a hidden tab raises a desktop notification naming the customer and the
//! department, whose click opens the ticket.

use std::time::Duration;

use serde_json::json;

use super::{alert_plays, click, eval, fail, logged_in_console, step};
use crate::support::{Backend, browser::Browser, customer, skip_or_fail, spawn_app};

/// The repeat interval the test agent chooses.
const REPEAT_SECS: u64 = 1;
/// How long the test watches for an alert that must not come: three repeat intervals.
const QUIET: Duration = Duration::from_millis(3 * 1000 * REPEAT_SECS + 500);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_alert_repeats_while_a_ticket_waits_stops_once_accepted_and_a_hidden_tab_is_notified() {
    let Some(browser) = Browser::launch().await.expect("launching Chromium") else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.add_agent("alice", switchboard::domain::Role::Agent, &["General"])
        .await;
    // Chosen from another "browser": the console must load them from the server.
    let elsewhere = app.login("alice").await;
    let chosen =
        json!({"repeat_every_secs": REPEAT_SECS, "volume": 40, "desktop_notifications": true});
    let reply = elsewhere
        .request(reqwest::Method::PATCH, "/api/me/settings", Some(chosen))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    let page = logged_in_console(&browser, &app.address, "alice").await;
    step(
        &page,
        "the console loaded alice's settings",
        &format!("window.switchboard.state.settings.repeat_every_secs === {REPEAT_SECS}"),
    )
    .await;
    assert_eq!(alert_plays(&page).await, 0, "nothing waits yet");

    let ann = customer(7101, "Ann");
    let first = app.customer_opens_ticket(&ann, "Hello?").await;
    let row = format!("#queue li.ticket[data-ticket-id='{first}']");
    step(
        &page,
        "the ticket shown",
        &format!("document.querySelector(\"{row} button.accept\")"),
    )
    .await;
    step(
        &page,
        "the alert played, then played again while the ticket waits",
        "window.alertPlays >= 2",
    )
    .await;
    step(
        &page,
        "the title counts the waiting ticket",
        "document.title === '(1) Switchboard'",
    )
    .await;
    let volume = eval(
        &page,
        "the volume",
        "document.querySelector('#alert-sound').volume",
    )
    .await;
    assert_eq!(volume, json!(0.4), "the agent's volume applies to playback");
    let seconds = eval(
        &page,
        "the chime's length",
        "document.querySelector('#alert-sound').duration",
    )
    .await
    .as_f64()
    .unwrap_or_default();
    assert!(
        (0.5..0.6).contains(&seconds),
        "the browser decoded the 16-bit PCM chime: {seconds} s"
    );

    page.click(&format!("{row} button.accept"))
        .await
        .unwrap_or_else(|e| fail(&page, "clicking Accept", e));
    step(
        &page,
        "accepted by alice",
        &format!(
            "document.querySelector(\"{row} .ticket-owner\")?.textContent.includes('Accepted by: Alice')"
        ),
    )
    .await;
    let after_accept = alert_plays(&page).await;
    let replayed = page
        .wait_for(&format!("window.alertPlays > {after_accept}"), QUIET)
        .await;
    assert!(
        replayed.is_err(),
        "the alert played again after the only waiting ticket was accepted ({after_accept} plays before): {:?}",
        page.console_log()
    );

    // A hidden tab: the browser allows notifications, and the page reports itself hidden.
    page.grant_permission("notifications")
        .await
        .unwrap_or_else(|e| fail(&page, "granting notifications", e));
    eval(
        &page,
        "recording notifications and hiding the tab",
        "(() => { \
           const Real = window.Notification; \
           window.shownNotifications = []; \
           window.Notification = class extends Real { \
             constructor(title, options) { super(title, options); window.shownNotifications.push(this); } \
           }; \
           Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' }); \
           Object.defineProperty(document, 'hidden', { configurable: true, get: () => true }); \
           document.dispatchEvent(new Event('visibilitychange')); \
           return Notification.permission; \
         })()",
    )
    .await;
    let bob = customer(7102, "Bob");
    let second = app.customer_opens_ticket(&bob, "Anyone there?").await;
    let shown = step(
        &page,
        "a desktop notification raised",
        "window.shownNotifications.length > 0 && \
         window.shownNotifications.map(n => ({title: n.title, body: n.body}))",
    )
    .await;
    let title = shown[0]["title"].as_str().unwrap_or_default();
    let body = shown[0]["body"].as_str().unwrap_or_default();
    assert!(
        title.contains("Bob") && title.contains("General"),
        "the title names the customer and the department: {shown}"
    );
    assert!(
        body.contains(&format!("#{second}")),
        "the body names the ticket: {shown}"
    );
    assert_eq!(
        eval(&page, "notifications", "window.shownNotifications.length").await,
        json!(1),
        "one notification for one ticket"
    );

    eval(
        &page,
        "clicking the notification",
        "(window.shownNotifications[0].dispatchEvent(new Event('click')), true)",
    )
    .await;
    step(
        &page,
        "the notified ticket is open",
        &format!(
            "window.switchboard.state.selectedId === {second} && \
             !document.querySelector('#chat-panel').hidden && \
             document.querySelector('#chat-history').textContent.includes('Anyone there?')"
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn muting_in_the_settings_panel_silences_alerts_everywhere_but_the_title_and_test_sound() {
    let Some(browser) = Browser::launch().await.expect("launching Chromium") else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.add_agent("alice", switchboard::domain::Role::Agent, &["General"])
        .await;
    let page = logged_in_console(&browser, &app.address, "alice").await;
    click(&page, "opening the settings", "#settings-button").await;
    step(
        &page,
        "the settings dialog open with the defaults",
        "document.querySelector('#settings-dialog').open && \
         !document.querySelector('#setting-mute').checked && \
         document.querySelector('#setting-repeat').value === '30'",
    )
    .await;
    click(&page, "muting", "#setting-mute").await;
    step(
        &page,
        "the server said muted",
        "window.switchboard.state.settings.mute === true",
    )
    .await;
    let elsewhere = app.login("alice").await;
    let stored: switchboard::domain::AlertSettings = elsewhere.get_json("/api/me/settings").await;
    assert!(stored.mute, "muting is stored on the server: {stored:?}");

    click(&page, "testing the sound", "#test-sound").await;
    step(
        &page,
        "the test sound played while muted",
        "window.alertPlays === 1",
    )
    .await;
    click(&page, "closing the settings", "#settings-done").await;

    let ann = customer(7201, "Ann");
    let first = app.customer_opens_ticket(&ann, "Hello?").await;
    step(
        &page,
        "the muted console still counts the waiting ticket in its title",
        &format!(
            "document.querySelector(\"#queue li.ticket[data-ticket-id='{first}']\") && \
             document.title === '(1) Switchboard'"
        ),
    )
    .await;
    // A muted alert would have played before this one, which is queued after it.
    click(&page, "opening the settings again", "#settings-button").await;
    click(&page, "testing the sound again", "#test-sound").await;
    step(
        &page,
        "the second test sound played",
        "window.alertPlays >= 2",
    )
    .await;
    assert_eq!(
        alert_plays(&page).await,
        2,
        "the new ticket played nothing while muted"
    );

    click(&page, "unmuting", "#setting-mute").await;
    step(
        &page,
        "the server said unmuted",
        "window.switchboard.state.settings.mute === false",
    )
    .await;
    click(&page, "closing the settings", "#settings-done").await;
    app.customer_opens_ticket(&customer(7202, "Bob"), "Hi")
        .await;
    step(
        &page,
        "unmuted, the next ticket plays the alert and the title counts both",
        "window.alertPlays >= 3 && document.title === '(2) Switchboard'",
    )
    .await;
}
