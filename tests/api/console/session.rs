//! A console whose session ends elsewhere (the agent is disabled, logs out in another tab, gets a
//! new password) shows the login screen at once instead of going on listening.

use std::time::Duration;

use switchboard::{domain::Role, service::Service};

use super::{eval, logged_in_console, step};
use crate::support::{Backend, browser::Browser, skip_or_fail, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_whose_agent_is_disabled_shows_the_login_at_once() {
    let Some(browser) = Browser::launch().await.expect("launching Chromium") else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    let alice_id = app.add_agent("alice", Role::Agent, &["General"]).await;
    let alice = logged_in_console(&browser, &app.address, "alice").await;
    // Count the console's session checks from now on: it must learn from the close code, not by
    // asking after a reconnect back-off.
    eval(
        &alice,
        "counting session checks",
        "(() => { window.sessionChecks = 0; const f = window.fetch; \
         window.fetch = (url, ...rest) => { if (String(url).includes('/api/session')) window.sessionChecks++; \
         return f(url, ...rest); }; return true; })()",
    )
    .await;

    Service::set_active(&app.db().await, alice_id, false)
        .await
        .expect("disabling alice");
    // Within the server's re-check period and the socket's close; no reconnect back-off.
    let shown = alice
        .wait_for(
            "!document.querySelector('#login-view').hidden && document.querySelector('#console-view').hidden",
            Duration::from_secs(2),
        )
        .await;
    assert!(
        shown.is_ok(),
        "the console still shows after the agent was disabled: {:?}",
        alice.console_log()
    );
    step(
        &alice,
        "the agent is told why",
        "document.body.textContent.includes('session has ended')",
    )
    .await;
    let checks = eval(&alice, "reading the session checks", "window.sessionChecks").await;
    assert_eq!(
        checks, 0,
        "the console left on the server's 4401 close, without reconnecting to find out"
    );
}
