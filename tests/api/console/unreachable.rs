//! A customer blocks the bot: the agent's console shows "customer unreachable" live on the queue
//! card and in the conversation header (the reason as text), and the mark goes away live when the
//! customer writes again.

use switchboard::domain::Role;

use super::{click, logged_in_console, queue_row, step};
use crate::support::{Backend, WAIT, browser::Browser, customer, skip_or_fail, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_shows_a_customer_who_blocked_the_bot_as_unreachable_until_they_write() {
    let Some(browser) = Browser::launch().await.expect("launching Chromium") else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    let ann = customer(9601, "Ann");
    let number = app.customer_opens_ticket(&ann, "where is my parcel?").await;
    let page = logged_in_console(&browser, &app.address, "alice").await;
    let row = queue_row(number);
    click(&page, "opening the ticket", &row).await;
    step(
        &page,
        "the ticket is open and its customer reachable",
        &format!(
            "document.querySelector(\"{row}\") && \
             !document.querySelector(\"{row} [data-testid=customer-unreachable]\") && \
             document.querySelector('#chat-unreachable').hidden"
        ),
    )
    .await;

    let blocked = app.telegram.customer_blocks_bot(&ann);
    assert!(app.telegram.wait_confirmed(blocked, WAIT).await);
    step(
        &page,
        "the card and the header say the customer is unreachable, and why",
        &format!(
            "document.querySelector(\"{row} [data-testid=customer-unreachable]\")?.textContent \
               === 'customer unreachable' && \
             !document.querySelector('#chat-unreachable').hidden && \
             document.querySelector('#chat-unreachable').textContent \
               .includes('the customer blocked the bot')"
        ),
    )
    .await;

    app.telegram.unblock(ann.chat());
    app.telegram.customer_says(&ann, "sorry, back again");
    step(
        &page,
        "the mark is gone once the customer writes",
        &format!(
            "!document.querySelector(\"{row} [data-testid=customer-unreachable]\") && \
             document.querySelector('#chat-unreachable').hidden"
        ),
    )
    .await;
}
