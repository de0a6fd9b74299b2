//! A long conversation opens on its newest page; scrolling to the top loads the older ones, a page
//! at a time, and keeps what the agent was reading in place.

use switchboard::domain::Role;

use super::{eval, logged_in_console, open_from_queue, step};
use crate::{
    paging::bulk_history,
    support::{Backend, browser::Browser, customer, skip_or_fail, spawn_app},
};

const MESSAGES: &str = "document.querySelectorAll('#chat-history li.message').length";

/// Scrolls the history to its top, as an agent reading back does.
const SCROLL_TO_TOP: &str = "(() => { const h = document.querySelector('#chat-history'); h.scrollTop = 0; return true; })()";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scrolling_up_loads_older_messages_a_page_at_a_time() {
    let Some(browser) = Browser::launch().await.expect("launching Chromium") else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    let ann = customer(7901, "Ann");
    let number = app
        .customer_opens_ticket(&ann, "the very first message")
        .await;
    // With the customer's first message and the acknowledgement: 122 messages, three pages of 50.
    bulk_history(&app.db().await, number, ann.chat(), 120).await;
    let alice = logged_in_console(&browser, &app.address, "alice").await;

    open_from_queue(&alice, number).await;
    step(
        &alice,
        "the newest page is shown, with older ones to load",
        &format!("{MESSAGES} === 50 && !document.querySelector('#chat-older').hidden"),
    )
    .await;
    let first_shown = eval(
        &alice,
        "reading the history",
        "document.querySelector('#chat-history').textContent.includes('the very first message')",
    )
    .await;
    assert_eq!(
        first_shown, false,
        "only the newest page is loaded at first"
    );

    eval(&alice, "scrolling to the top", SCROLL_TO_TOP).await;
    step(
        &alice,
        "the next older page is loaded",
        &format!("{MESSAGES} === 100"),
    )
    .await;
    let kept = eval(
        &alice,
        "reading the scroll position",
        "document.querySelector('#chat-history').scrollTop",
    )
    .await;
    assert!(
        kept.as_f64().unwrap_or_default() > 0.0,
        "the messages the agent was reading stay in view, not pushed to the top: {kept}"
    );

    eval(&alice, "scrolling to the top again", SCROLL_TO_TOP).await;
    step(
        &alice,
        "the whole conversation is loaded and nothing more is offered",
        &format!(
            "{MESSAGES} === 122 && document.querySelector('#chat-older').hidden \
             && document.querySelector('#chat-history').textContent.includes('the very first message')"
        ),
    )
    .await;
}
