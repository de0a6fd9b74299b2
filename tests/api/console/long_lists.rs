//! Lists longer than a page in the console: a Pending queue of 230 tickets (the API's pages hold
//! 200) is shown whole and its oldest ticket can be accepted; a ticket whose customer writes while
//! the queue's pages load is not lost; History pages on past its first hundred closed tickets.

use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
use serde_json::json;
use switchboard::{
    domain::{Role, TicketId},
    simulator::Customer,
    store::entity::ticket,
    views::TicketView,
};

use super::{click, fail, logged_in_console, queue_row, step};
use crate::support::{
    Backend, TestApp, WAIT,
    browser::{Browser, Page},
    customer, skip_or_fail, spawn_app,
};

/// More open tickets than one page of the queue API (200).
const QUEUE_TICKETS: i64 = 230;

/// More closed tickets than one page of History (100).
const CLOSED_TICKETS: i64 = 105;

const CARDS: &str = "document.querySelectorAll('#queue li.ticket').length";

/// `count` customers each write once, all at once through the fake Telegram; returns them once
/// every update is committed (so every ticket exists), with the tickets' ids oldest first.
async fn customers_open_tickets(
    app: &TestApp,
    first_id: i64,
    count: i64,
) -> (Vec<Customer>, Vec<TicketId>) {
    let customers: Vec<Customer> = (0..count)
        .map(|i| customer(first_id + i, &format!("Cust{i}")))
        .collect();
    let started = std::time::Instant::now();
    let mut last = None;
    for c in &customers {
        last = Some(app.telegram.customer_says(c, "hello, anyone there?"));
    }
    let last = last.expect("at least one customer");
    assert!(
        app.telegram.wait_confirmed(last, WAIT).await,
        "every update committed and confirmed"
    );
    let ids: Vec<TicketId> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::Id)
        .order_by_asc(ticket::Column::Id)
        .into_tuple()
        .all(&app.db().await)
        .await
        .expect("listing the tickets");
    assert_eq!(ids.len() as i64, count, "one ticket per customer");
    eprintln!(
        "{count} customers opened their tickets through the fake Telegram in {:?}",
        started.elapsed()
    );
    (customers, ids)
}

/// Launches Chromium, or skips (fails under `SWITCHBOARD_TEST_REQUIRE_ALL`) without it.
async fn browser() -> Option<Browser> {
    let browser = Browser::launch().await.expect("launching Chromium");
    if browser.is_none() {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
    }
    browser
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_queue_longer_than_a_page_is_shown_whole_and_its_oldest_can_be_accepted() {
    let Some(browser) = browser().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    let (_, ids) = customers_open_tickets(&app, 8_100_000, QUEUE_TICKETS).await;
    let (oldest, newest) = (ids[0], ids[ids.len() - 1]);

    let alice = logged_in_console(&browser, &app.address, "alice").await;
    step(
        &alice,
        "every Pending ticket shown, the oldest and the newest among them",
        &format!(
            "{CARDS} === {QUEUE_TICKETS} && document.querySelector(\"{}\") && document.querySelector(\"{}\") \
             && document.querySelector('#queue-count').textContent === '{QUEUE_TICKETS} pending · {QUEUE_TICKETS} open'",
            queue_row(oldest),
            queue_row(newest)
        ),
    )
    .await;
    let first = alice
        .eval("document.querySelector('#queue li.ticket').dataset.ticketId")
        .await
        .unwrap_or_else(|e| fail(&alice, "reading the queue's order", e));
    assert_eq!(
        first,
        json!(oldest.to_string()),
        "who waited longest comes first"
    );

    // The oldest came on the first page; accept one that only the second page held.
    let from_second_page = ids[ids.len() - 1 - 200];
    click(
        &alice,
        "accepting a ticket of the second page",
        &format!("{} button.accept", queue_row(from_second_page)),
    )
    .await;
    step(
        &alice,
        "the accepted ticket is alice's, at the top of her list, and left Pending",
        &format!(
            "(() => {{ const first = document.querySelector('#queue li.ticket'); \
             return first.dataset.ticketId === '{from_second_page}' && first.classList.contains('mine') \
             && first.dataset.status === 'accepted' && {CARDS} === {QUEUE_TICKETS} \
             && document.querySelector('#queue-count').textContent === '{} pending · {QUEUE_TICKETS} open'; }})()",
            QUEUE_TICKETS - 1
        ),
    )
    .await;
}

/// Makes the page's requests for the queue's later pages wait until `window.releasePages()`,
/// as a slow network would; `window.heldPages` counts the ones waiting.
const HOLD_LATER_PAGES: &str = "(() => {\
  const realFetch = window.fetch;\
  window.heldPages = 0;\
  const waiting = [];\
  window.releasePages = () => { window.released = true; waiting.splice(0).forEach((go) => go()); return true; };\
  window.fetch = (input, init) => {\
    if (!window.released && String(input).startsWith('/api/tickets?after=')) {\
      window.heldPages += 1;\
      return new Promise((resolve) => waiting.push(() => resolve(realFetch(input, init))));\
    }\
    return realFetch(input, init);\
  };\
  return true;\
})()";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_whose_customer_writes_while_the_queue_loads_is_not_lost() {
    let Some(browser) = browser().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    let (customers, ids) = customers_open_tickets(&app, 8_200_000, QUEUE_TICKETS).await;

    // The console loads the open tickets newest activity first; hold its second page.
    let alice = logged_in_console_holding_pages(&browser, &app.address, "alice").await;
    step(
        &alice,
        "the first page shown, the second one asked for",
        &format!("window.heldPages === 1 && {CARDS} === 0"),
    )
    .await;

    // The customer of the oldest ticket (on the second page) writes: their ticket's activity
    // moves it ahead of the second page, which no longer holds it.
    let last = app.telegram.customer_says(&customers[0], "still waiting!");
    assert!(app.telegram.wait_confirmed(last, WAIT).await);
    alice
        .eval("window.releasePages()")
        .await
        .unwrap_or_else(|e| fail(&alice, "releasing the second page", e));
    step(
        &alice,
        "every ticket shown, the one that moved too",
        &format!(
            "{CARDS} === {QUEUE_TICKETS} && document.querySelector(\"{}\")",
            queue_row(ids[0])
        ),
    )
    .await;
}

/// `logged_in_console`, with the queue's later pages held (HOLD_LATER_PAGES) from the login on.
async fn logged_in_console_holding_pages(browser: &Browser, address: &str, login: &str) -> Page {
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
    page.eval(HOLD_LATER_PAGES)
        .await
        .unwrap_or_else(|e| fail(&page, "holding the later pages", e));
    super::type_into(&page, "typing the login", "#login-login", login).await;
    super::type_into(
        &page,
        "typing the password",
        "#login-password",
        &crate::support::password_of(login),
    )
    .await;
    click(&page, "clicking log in", "#login-submit").await;
    step(
        &page,
        "console shown and live",
        "!document.querySelector('#console-view').hidden && document.querySelector('#connection').dataset.state === 'open'",
    )
    .await;
    page
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_pages_on_past_its_first_hundred_closed_tickets() {
    let Some(browser) = browser().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    let agent = app.agent("alice").await;
    let (_, ids) = customers_open_tickets(&app, 8_300_000, CLOSED_TICKETS).await;
    for id in &ids {
        agent.accept(*id).await.expect::<TicketView>(200);
        agent
            .post(
                &format!("/api/tickets/{id}/close"),
                json!({"reason": "resolved"}),
            )
            .await
            .expect::<TicketView>(200);
    }
    let (first_closed, last_closed) = (ids[0], ids[ids.len() - 1]);
    let row = |id: TicketId| format!("#history-list .history-row[data-ticket-id='{id}']");
    let rows = "document.querySelectorAll('#history-list .history-row').length";

    let alice = logged_in_console(&browser, &app.address, "alice").await;
    click(&alice, "opening History", "#tab-history").await;
    step(
        &alice,
        "the first hundred, newest first, with More offered",
        &format!(
            "{rows} === 100 && document.querySelector('#history-list .history-row').dataset.ticketId === '{last_closed}' \
             && !document.querySelector(\"{}\") && !document.querySelector('#history-more').hidden",
            row(first_closed)
        ),
    )
    .await;
    click(&alice, "asking for more", "#history-more").await;
    step(
        &alice,
        "every closed ticket listed once, the first one closed too, and nothing more offered",
        &format!(
            "{rows} === {CLOSED_TICKETS} && document.querySelector(\"{}\") \
             && new Set([...document.querySelectorAll('#history-list .history-row')].map((r) => r.dataset.ticketId)).size === {CLOSED_TICKETS} \
             && document.querySelector('#history-more').hidden",
            row(first_closed)
        ),
    )
    .await;
}
