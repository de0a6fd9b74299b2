//! The supervisor board in a real browser: a supervisor watches a customer's ticket arrive in
//! General's Pending count without a reload, an agent accept it (their ticket count follows
//! live), then takes it over from the board and is shown as its holder (and the agent's console
//! says so). An admin sets General's first-response target on the Admin page; a wait past it is
//! highlighted on the board and in the agent's queue and alerts the admin with the sound and a
//! notice; the admin makes the client VIP from the chat header and the agent's queue shows it.

use chrono::{TimeDelta, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use switchboard::{domain::Role, store::entity::ticket};

use super::{alert_plays, click, eval, logged_in_console, queue_row, step, type_into};
use crate::support::{Backend, browser::Browser, customer, skip_or_fail, spawn_app};

/// General's section of the board (JS expression).
const GENERAL: &str = "[...document.querySelectorAll('[data-testid=sboard-department]')]\
    .find(s => s.querySelector('.sboard-name bdi').textContent === 'General')";

/// JS: agent `id`'s entry in General's section, or undefined.
fn board_agent(id: impl std::fmt::Display) -> String {
    format!("({GENERAL})?.querySelector(\"[data-testid=sboard-agent][data-agent-id='{id}']\")")
}

/// JS: ticket `number`'s row in General's section, or undefined.
fn board_ticket(number: impl std::fmt::Display) -> String {
    format!(
        "({GENERAL})?.querySelector(\"[data-testid=sboard-ticket][data-ticket-id='{number}']\")"
    )
}

/// The selector of ticket `number`'s row on the board.
fn board_row(number: impl std::fmt::Display) -> String {
    format!("[data-testid=sboard-ticket][data-ticket-id='{number}']")
}

async fn launch_two() -> Option<(Browser, Browser)> {
    match (
        Browser::launch().await.expect("launching Chromium"),
        Browser::launch().await.expect("launching Chromium"),
    ) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => {
            skip_or_fail(
                "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
            );
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_sees_a_ticket_arrive_get_accepted_and_takes_it_over_from_the_live_board() {
    let Some((sam_browser, alice_browser)) = launch_two().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    let sam_id = app.add_agent("sam", Role::Supervisor, &[]).await;
    let alice_id = app.add_agent("alice", Role::Agent, &["General"]).await;
    let sam = logged_in_console(&sam_browser, &app.address, "sam").await;
    let alice = logged_in_console(&alice_browser, &app.address, "alice").await;
    let hidden = eval(
        &alice,
        "looking for the Board button",
        "document.querySelector('#board-button').hidden",
    )
    .await;
    assert_eq!(hidden, json!(true), "agents see no Board button");

    click(&sam, "opening the board", "#board-button").await;
    step(
        &sam,
        "the board shows General with nothing pending and Alice online",
        &format!(
            "!document.querySelector('#supervisor-board').hidden && \
             document.querySelector('.workspace').hidden && \
             ({GENERAL})?.querySelector('[data-testid=sboard-pending]').dataset.count === '0' && \
             {agent}?.dataset.presence === 'online' && \
             {agent}.querySelector('[data-testid=sboard-held]').dataset.count === '0'",
            agent = board_agent(alice_id)
        ),
    )
    .await;
    // A reload would forget this: every later step proves the board changed live.
    eval(&sam, "marking the page", "(window.sameBoardPage = true)").await;

    let number = app
        .customer_opens_ticket(&customer(9801, "Ann"), "hello?")
        .await;
    step(
        &sam,
        "General's Pending count goes to 1 with the ticket listed and its wait running",
        &format!(
            "window.sameBoardPage && \
             ({GENERAL}).querySelector('[data-testid=sboard-pending]').dataset.count === '1' && \
             ({GENERAL}).querySelector('[data-testid=sboard-oldest]')?.textContent.startsWith('waiting ') && \
             {row}?.dataset.status === 'pending' && \
             {row}.querySelector('.ticket-username').textContent === '@ann'",
            row = board_ticket(number)
        ),
    )
    .await;

    click(
        &alice,
        "alice accepts from her queue",
        &format!("{} button.accept", queue_row(number)),
    )
    .await;
    step(
        &sam,
        "Alice holds one ticket, nothing is pending, the row says who holds it",
        &format!(
            "window.sameBoardPage && \
             {agent}.querySelector('[data-testid=sboard-held]').dataset.count === '1' && \
             ({GENERAL}).querySelector('[data-testid=sboard-pending]').dataset.count === '0' && \
             {row}?.querySelector('[data-testid=sboard-owner]')?.textContent === 'Held by Alice' && \
             {row}.querySelector('[data-testid=sboard-take-over]')",
            agent = board_agent(alice_id),
            row = board_ticket(number)
        ),
    )
    .await;

    click(
        &sam,
        "taking the ticket over",
        &format!("{} [data-testid=sboard-take-over]", board_row(number)),
    )
    .await;
    step(
        &sam,
        "the board shows Sam as the holder and Alice with none",
        &format!(
            "window.sameBoardPage && \
             {row}?.querySelector('[data-testid=sboard-owner]')?.textContent === 'Held by Sam' && \
             !{row}.querySelector('[data-testid=sboard-take-over]') && \
             {sam}?.querySelector('[data-testid=sboard-held]').dataset.count === '1' && \
             {sam}.querySelector('.sboard-guest') && \
             {alice}.querySelector('[data-testid=sboard-held]').dataset.count === '0'",
            row = board_ticket(number),
            sam = board_agent(sam_id),
            alice = board_agent(alice_id)
        ),
    )
    .await;
    step(
        &alice,
        "alice's console shows Sam holds it now",
        &format!(
            "document.querySelector(\"{} .ticket-owner\")?.textContent.includes('Accepted by: Sam')",
            queue_row(number)
        ),
    )
    .await;
    if let Ok(dir) = std::env::var("SWITCHBOARD_SCREENSHOTS") {
        let _ = sam
            .screenshot(&std::path::Path::new(&dir).join("supervisor-board.png"))
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_past_the_target_set_on_the_admin_page_is_highlighted_and_alerts_the_admin_who_makes_the_client_vip()
 {
    let Some((root_browser, alice_browser)) = launch_two().await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.add_agent("root", Role::Admin, &[]).await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    let root = logged_in_console(&root_browser, &app.address, "root").await;
    let alice = logged_in_console(&alice_browser, &app.address, "alice").await;
    click(&root, "opening the Admin page", "#admin-button").await;
    click(
        &root,
        "opening the Departments tab",
        "[data-testid=admin-tab-departments]",
    )
    .await;
    let general_row = "[data-testid=admin-department][data-name=General]";
    step(
        &root,
        "General is listed without a target",
        &format!(
            "document.querySelector('{general_row} [data-testid=department-target]')?.value === ''"
        ),
    )
    .await;
    type_into(
        &root,
        "typing the target",
        &format!("{general_row} [data-testid=department-target]"),
        "600",
    )
    .await;
    click(
        &root,
        "saving General",
        &format!("{general_row} [data-testid=department-save]"),
    )
    .await;
    step(
        &root,
        "the saved target is shown again",
        &format!("document.querySelector('{general_row} [data-testid=department-target]')?.value === '600'"),
    )
    .await;
    click(&root, "closing the Admin page", "[data-testid=admin-done]").await;
    click(&root, "opening the board", "#board-button").await;
    step(
        &root,
        "the board shows General's target",
        &format!("({GENERAL})?.querySelector('.sboard-target').textContent === 'target 10 min'"),
    )
    .await;

    let number = app
        .customer_opens_ticket(&customer(9802, "Ben"), "still there?")
        .await;
    step(
        &root,
        "the ticket is on the board, not past the target",
        &format!(
            "{row} && !{row}.classList.contains('breached') && \
             ({GENERAL}).querySelector('[data-testid=sboard-past-target]').dataset.count === '0'",
            row = board_ticket(number)
        ),
    )
    .await;
    step(
        &root,
        "the new ticket's alert played",
        "window.alertPlays >= 1",
    )
    .await;
    let plays_before = alert_plays(&root).await;
    // Ben has waited 20 minutes: past the 10-minute target.
    let opened = Utc::now() - TimeDelta::minutes(20);
    ticket::Entity::update_many()
        .col_expr(ticket::Column::CreatedAt, Expr::value(opened))
        .col_expr(ticket::Column::AwaitingReplySince, Expr::value(opened))
        .filter(ticket::Column::Id.eq(number))
        .exec(&app.db().await)
        .await
        .expect("ageing the ticket");
    app.service
        .check_breaches(Utc::now())
        .await
        .expect("checking the targets");

    step(
        &root,
        "the board highlights the ticket and counts it past the target",
        &format!(
            "{row}.classList.contains('breached') && {row}.querySelector('[data-testid=breach-badge]') && \
             ({GENERAL}).querySelector('[data-testid=sboard-past-target]').dataset.count === '1' && \
             ({GENERAL}).querySelector('[data-testid=sboard-past-target]').classList.contains('alarm') && \
             ({GENERAL}).querySelector('[data-testid=sboard-oldest]').textContent === 'waiting 20 min'",
            row = board_ticket(number)
        ),
    )
    .await;
    step(
        &root,
        "the admin hears the alert and reads the notice",
        &format!(
            "window.alertPlays > {plays_before} && \
             document.querySelector('#notice').textContent === \
               'Ticket #{number} in \u{2068}General\u{2069} has waited past its first-response target'"
        ),
    )
    .await;
    let row = queue_row(number);
    step(
        &alice,
        "the agent's queue highlights the ticket",
        &format!(
            "document.querySelector(\"{row}\").classList.contains('breached') && \
             document.querySelector(\"{row} [data-testid=breach-badge]\")"
        ),
    )
    .await;

    click(
        &root,
        "opening the ticket from the board",
        &format!("{} [data-testid=sboard-open]", board_row(number)),
    )
    .await;
    step(
        &root,
        "the chat shows the breach and the client priority choice",
        "!document.querySelector('.workspace').hidden && \
         !document.querySelector('#chat-breach').hidden && \
         !document.querySelector('#chat-priority-field').hidden && \
         document.querySelector('#chat-priority').value === 'normal'",
    )
    .await;
    eval(
        &root,
        "choosing VIP",
        "(() => { const s = document.querySelector('#chat-priority'); s.value = 'vip'; \
         s.dispatchEvent(new Event('change', { bubbles: true })); return true; })()",
    )
    .await;
    step(
        &root,
        "the chat header shows VIP",
        "!document.querySelector('#chat-priority-badge').hidden && \
         document.querySelector('#chat-priority-badge').textContent === 'VIP'",
    )
    .await;
    step(
        &alice,
        "the agent's queue shows the VIP badge live, and no client priority choice",
        &format!(
            "document.querySelector(\"{row} [data-testid=priority-badge][data-priority=vip]\")?.textContent === 'VIP' && \
             document.querySelector('#chat-priority-field').hidden"
        ),
    )
    .await;
    if let Ok(dir) = std::env::var("SWITCHBOARD_SCREENSHOTS") {
        let _ = root
            .screenshot(&std::path::Path::new(&dir).join("breach-chat-header.png"))
            .await;
        let _ = alice
            .screenshot(&std::path::Path::new(&dir).join("breach-agent-queue.png"))
            .await;
    }
}
