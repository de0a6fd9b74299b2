//! Fast hands from the keyboard alone: `?` lists the shortcuts, `n` opens the next Pending
//! ticket (its unread count shows, then clears), `a` accepts, `r` focuses the reply, `/` and a
//! shortcut insert a canned response, Ctrl+Enter sends it to Telegram; the needs-reply badge
//! follows the conversation, and a draft survives a reload.

use switchboard::{domain::Role, store::canned::NewCanned};

use super::{eval, fail, logged_in_console, queue_row, step, type_into};
use crate::support::{Backend, WAIT, browser::Browser, customer, skip_or_fail, spawn_app};

const CANNED_TEXT: &str = "Hello! Thanks for writing. How can I help?";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_works_a_ticket_from_the_keyboard_with_canned_text_badges_and_a_kept_draft() {
    let Some(browser) = Browser::launch().await.expect("launching Chromium") else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    let general = app.login("alice").await.agent.departments[0].id;
    switchboard::store::canned::insert(
        &app.db().await,
        NewCanned {
            department: general,
            shortcut: "hello".to_owned(),
            title: "Greeting".to_owned(),
            text: CANNED_TEXT.to_owned(),
        },
        chrono::Utc::now(),
    )
    .await
    .expect("storing a canned response");
    let ann = customer(7501, "Ann");
    let number = app.customer_opens_ticket(&ann, "my parcel is lost").await;
    let page = logged_in_console(&browser, &app.address, "alice").await;
    let row = queue_row(number);
    step(
        &page,
        "the new ticket shows one unread message and needs a reply",
        &format!(
            "document.querySelector(\"{row} [data-testid=unread-count]\")?.dataset.count === '1' \
             && document.querySelector(\"{row}\").classList.contains('unread') \
             && document.querySelector(\"{row} [data-testid=needs-reply]\")?.textContent.includes('needs reply')"
        ),
    )
    .await;

    let press = |key: &'static str| {
        let page = &page;
        async move {
            page.press_key(key)
                .await
                .unwrap_or_else(|e| fail(page, &format!("pressing {key}"), e));
        }
    };
    press("?").await;
    step(
        &page,
        "? lists the shortcuts",
        "!document.querySelector('#shortcuts-help').hidden && \
         document.querySelector('#shortcuts-list').textContent.includes('Next Pending ticket') && \
         document.querySelector('#shortcuts-list').textContent.includes('Focus the reply box')",
    )
    .await;
    press("Escape").await;
    step(
        &page,
        "Escape hides them",
        "document.querySelector('#shortcuts-help').hidden",
    )
    .await;

    press("n").await;
    step(
        &page,
        "n opens the Pending ticket and its unread count clears",
        &format!(
            "document.querySelector(\"{row}\").getAttribute('aria-current') === 'true' \
             && document.querySelector(\"{row} [data-testid=unread-count]\").dataset.count === '0' \
             && document.querySelector('#chat-history').textContent.includes('my parcel is lost')"
        ),
    )
    .await;
    press("a").await;
    step(
        &page,
        "a accepts it: the reply box shows",
        "!document.querySelector('#reply-form').hidden",
    )
    .await;
    press("r").await;
    step(
        &page,
        "r puts the caret in the reply box",
        "document.activeElement && document.activeElement.id === 'reply-text'",
    )
    .await;
    type_into(&page, "typing / and a shortcut", "#reply-text", "/hel").await;
    step(
        &page,
        "the picker offers /hello",
        "!document.querySelector('#canned-picker').hidden && \
         document.querySelector('#canned-picker li[data-shortcut=hello]')",
    )
    .await;
    let typing = app
        .telegram
        .wait_for_call(WAIT, |c| {
            c.method == "sendchataction" && c.body["chat_id"].as_i64() == Some(ann.chat().0)
        })
        .await
        .expect("the customer saw the agent typing");
    assert_eq!(typing.body["action"].as_str(), Some("typing"));
    press("Enter").await;
    step(
        &page,
        "Enter inserts the canned text as text",
        &format!(
            "document.querySelector('#reply-text').value === {CANNED_TEXT:?} && document.querySelector('#canned-picker').hidden"
        ),
    )
    .await;
    page.press_with_control("Enter")
        .await
        .unwrap_or_else(|e| fail(&page, "pressing Ctrl+Enter", e));
    app.telegram
        .wait_for_message_to(ann.chat(), CANNED_TEXT, WAIT)
        .await
        .expect("Ctrl+Enter sent the canned reply to Telegram");
    step(
        &page,
        "the reply ends the wait: no needs-reply badge, the box is empty",
        &format!(
            "!document.querySelector(\"{row} [data-testid=needs-reply]\") && document.querySelector('#reply-text').value === ''"
        ),
    )
    .await;

    app.telegram.customer_says(&ann, "and the tracking number?");
    step(
        &page,
        "a customer message brings the badge back (the open chat has nothing unread)",
        &format!(
            "document.querySelector('#chat-history').textContent.includes('tracking number') \
             && document.querySelector(\"{row} [data-testid=needs-reply]\") \
             && document.querySelector(\"{row} [data-testid=unread-count]\").dataset.count === '0'"
        ),
    )
    .await;

    step(
        &page,
        "the server has the open chat read to its newest message",
        &format!("fetch('/api/tickets/{number}').then(r => r.json()).then(t => t.unread === 0)"),
    )
    .await;
    type_into(
        &page,
        "typing a draft",
        "#reply-text",
        "Let me check the carrier",
    )
    .await;
    page.reload()
        .await
        .unwrap_or_else(|e| fail(&page, "reloading", e));
    step(
        &page,
        "after the reload the console is live with the ticket",
        &format!("document.querySelector('#connection').dataset.state === 'open' && document.querySelector(\"{row}\")"),
    )
    .await;
    step(
        &page,
        "the ticket is still read",
        &format!(
            "document.querySelector(\"{row} [data-testid=unread-count]\")?.dataset.count === '0'"
        ),
    )
    .await;
    step(
        &page,
        "the ticket still needs a reply",
        &format!("document.querySelector(\"{row} [data-testid=needs-reply]\")"),
    )
    .await;
    super::click(&page, "opening the ticket again", &row).await;
    step(
        &page,
        "the draft is back in the reply box",
        "document.querySelector('#reply-text').value === 'Let me check the carrier'",
    )
    .await;
    let markup = eval(
        &page,
        "counting picker markup",
        "document.querySelectorAll('#canned-picker b, #reply-form b').length",
    )
    .await;
    assert_eq!(markup, 0);
}
