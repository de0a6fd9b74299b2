//! A reassign decided on a ticket that changed while the Reassign dialog was open.

use switchboard::domain::Role;

use super::{click, logged_in_console, open_reassign, queue_row, step};
use crate::support::{Backend, browser::Browser, customer, skip_or_fail, spawn_app};

/// A reassign decided on a ticket that changed while the dialog was open loses: the dialog closes,
/// the console says who has the ticket now and shows it so, and the ticket stays where it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reassign_that_lost_its_race_says_who_changed_the_ticket() {
    let Some(sam_browser) = Browser::launch().await.expect("launching Chromium") else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    let billing = app.add_department("Billing").await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    let alice = app.login("alice").await;
    let sam = logged_in_console(&sam_browser, &app.address, "sam").await;

    let ann = customer(7201, "Ann");
    let number = app.customer_opens_ticket(&ann, "Hello").await;
    let row = queue_row(number);
    click(&sam, "sam opens the ticket", &row).await;
    open_reassign(&sam, "sam opens Reassign").await;
    // While the dialog is open, alice accepts the ticket.
    alice.accept(number).await.expect::<serde_json::Value>(200);
    click(
        &sam,
        "choosing Billing",
        &format!("#reassign-dialog input[name='department'][value='{billing}']"),
    )
    .await;
    click(&sam, "confirming", "#reassign-submit").await;
    step(
        &sam,
        "the dialog closed and says who has the ticket",
        "!document.querySelector('#reassign-dialog').open && document.querySelector('#notice').textContent.includes('changed by someone else first: Alice has it now (General)')",
    )
    .await;
    step(
        &sam,
        "the card shows alice as the owner",
        &format!("document.querySelector(\"{row} .ticket-owner\")?.textContent.includes('Accepted by: Alice')"),
    )
    .await;
    let ticket: serde_json::Value = alice.get_json(&format!("/api/tickets/{number}")).await;
    assert_eq!(ticket["department"]["name"], "General", "{ticket}");
    assert_eq!(ticket["owner"]["name"], "Alice", "{ticket}");
}
