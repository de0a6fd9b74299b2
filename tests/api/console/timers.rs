//! Lifecycle timers and business hours in the console: an admin sets a department's hours in the
//! "Hours & timers" dialog from the board and the board shows it closed until it opens; the owner
//! of a ticket marks it "Waiting for customer" (a badge), and the badge goes away live when the
//! customer writes.

use chrono::{TimeZone, Utc};
use switchboard::domain::Role;

use super::{click, logged_in_console, open_from_queue, step, type_into};
use crate::support::{Backend, browser::Browser, customer, skip_or_fail, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_hours_in_the_dialog_and_an_owner_marks_a_ticket_waiting_until_the_customer_writes()
 {
    let Some(browser) = Browser::launch().await.expect("launching Chromium") else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    // Saturday noon UTC is Saturday evening in Tokyo: closed until Monday.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap());
    app.add_agent("root", Role::Admin, &["General"]).await;
    let page = logged_in_console(&browser, &app.address, "root").await;
    let general = "#board-list section.board-department";
    click(
        &page,
        "opening Hours & timers",
        &format!("{general} [data-testid=department-hours]"),
    )
    .await;
    step(
        &page,
        "the dialog is open",
        "document.querySelector('#dept-hours-dialog').open",
    )
    .await;
    click(
        &page,
        "turning business hours on",
        "[data-testid=dept-hours-on]",
    )
    .await;
    type_into(
        &page,
        "the time zone",
        "[data-testid=dept-time-zone]",
        "Asia/Tokyo",
    )
    .await;
    type_into(&page, "Monday", "[data-testid=dept-day-mon]", "09:00-18:00").await;
    type_into(
        &page,
        "idle close",
        "[data-testid=dept-idle_close_hours]",
        "48",
    )
    .await;
    click(&page, "saving", "[data-testid=dept-hours-save]").await;
    step(
        &page,
        "the board says when General opens",
        &format!(
            "!document.querySelector('#dept-hours-dialog').open && \
             document.querySelector(\"{general} [data-testid=department-closed-until]\")?.textContent \
               === 'Closed until Mon 09:00 (Asia/Tokyo)'"
        ),
    )
    .await;

    let ann = customer(9701, "Ann");
    let number = app.customer_opens_ticket(&ann, "anyone?").await;
    open_from_queue(&page, number).await;
    click(&page, "accepting", "#chat-accept").await;
    click(&page, "marking it waiting", "[data-testid=hold-waiting]").await;
    step(
        &page,
        "the badge says it waits for the customer",
        "!document.querySelector('[data-testid=hold-badge]').hidden && \
         document.querySelector('[data-testid=hold-badge]').textContent === 'Waiting for customer'",
    )
    .await;
    app.telegram.customer_says(&ann, "here I am");
    step(
        &page,
        "the badge is gone once the customer writes",
        "document.querySelector('[data-testid=hold-badge]').hidden && \
         !document.querySelector('[data-testid=hold-waiting]').hidden",
    )
    .await;
}
