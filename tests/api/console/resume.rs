//! A console whose connection is cut while a customer writes shows those messages in the open
//! chat once the connection is back, without a page reload: it resumes after the last event it
//! applied (`/ws?after=`) and the server replays what it missed.

use std::time::Duration;

use switchboard::domain::Role;

use super::{click, eval, open_from_queue, step};
use crate::support::{
    Backend, WAIT, browser::Browser, customer, password_of, skip_or_fail, spawn_app,
};

/// The longest the console waits between two reconnect attempts (web/live.js).
const BACKOFF_CAP: Duration = Duration::from_secs(30);

/// Wraps the page's WebSocket before the console opens one: every socket is recorded with its
/// URL, and while `window.offline` is set new sockets go to a closed port (the network is down).
const TRACK_SOCKETS: &str = r#"(() => {
  const Real = window.WebSocket;
  window.sockets = [];
  window.offline = false;
  function Tracked(url, protocols) {
    const ws = new Real(window.offline ? 'ws://127.0.0.1:9/' : url, protocols);
    window.sockets.push({ url: String(url), ws });
    return ws;
  }
  Tracked.prototype = Real.prototype;
  Object.assign(Tracked, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  window.WebSocket = Tracked;
  window.pageMarker = 'the same page';
  return true;
})()"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_chat_shows_messages_sent_while_the_connection_was_cut_without_a_reload() {
    let Some(browser) = Browser::launch().await.expect("launching Chromium") else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    let ann = customer(7951, "Ann");
    let number = app.customer_opens_ticket(&ann, "my parcel is late").await;

    let page = browser
        .new_page(&app.address)
        .await
        .expect("opening the console");
    step(
        &page,
        "login form shown",
        "!document.querySelector('#login-view').hidden",
    )
    .await;
    eval(&page, "tracking the page's sockets", TRACK_SOCKETS).await;
    page.type_into("#login-login", "alice")
        .await
        .expect("typing the login");
    page.type_into("#login-password", &password_of("alice"))
        .await
        .expect("typing the password");
    click(&page, "logging in", "#login-submit").await;
    step(
        &page,
        "console live",
        "document.querySelector('#connection').dataset.state === 'open'",
    )
    .await;
    open_from_queue(&page, number).await;
    step(
        &page,
        "the chat shows the first message",
        "document.querySelector('#chat-history').textContent.includes('my parcel is late')",
    )
    .await;

    // The network goes down: the socket closes and reconnects fail.
    eval(
        &page,
        "cutting the connection",
        "(window.offline = true, window.sockets[window.sockets.length - 1].ws.close(), true)",
    )
    .await;
    step(
        &page,
        "the console says it is reconnecting",
        "document.querySelector('#connection').dataset.state !== 'open' && document.querySelector('#connection').textContent.includes('Reconnecting')",
    )
    .await;
    let mut watcher = app.login("alice").await.ws().await;
    app.telegram.customer_says(&ann, "are you there?");
    watcher.expect_message_created().await;
    app.telegram.customer_says(&ann, "it was due on Monday");
    watcher.expect_message_created().await;

    // The network is back, and the browser says so (`online`): the console tries at once instead
    // of waiting out the jittered backoff that grew while the network was down (at most 30 s
    // between tries, which still bounds the wait below if the event were missed).
    eval(
        &page,
        "restoring the connection",
        "(window.offline = false, window.dispatchEvent(new Event('online')), true)",
    )
    .await;
    let shown = page
        .wait_for(
            "document.querySelector('#chat-history').textContent.includes('are you there?') && document.querySelector('#chat-history').textContent.includes('it was due on Monday')",
            BACKOFF_CAP + WAIT,
        )
        .await;
    if let Err(error) = shown {
        let seen = page
            .eval("JSON.stringify({connection: document.querySelector('#connection').dataset.state, sockets: window.sockets.map(s => [s.url, s.ws.readyState]), chat: document.querySelector('#chat-history').textContent.slice(-300), selected: document.querySelector('#chat-title')?.textContent})")
            .await
            .unwrap_or_default();
        panic!(
            "the open chat shows both messages sent meanwhile: {error:#}\nthe page showed {seen}\n{:#?}",
            page.console_log()
        );
    }
    let marker = eval(&page, "reading the page marker", "window.pageMarker").await;
    assert_eq!(marker, "the same page", "the page was not reloaded");
    let resumed = eval(
        &page,
        "reading the last socket's URL",
        "window.sockets[window.sockets.length - 1].url",
    )
    .await;
    assert!(
        resumed
            .as_str()
            .is_some_and(|url| url.contains("/ws?after=")),
        "the console resumed after the last event it applied: {resumed}"
    );
    step(
        &page,
        "live again",
        "document.querySelector('#connection').dataset.state === 'open'",
    )
    .await;
}
