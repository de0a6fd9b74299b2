//! Notes edited and deleted live, by their author and by a supervisor; a closed ticket found in
//! History, opened read-only with its timeline, and listed among the client's tickets.

use switchboard::domain::Role;

use super::{click, eval, fail, logged_in_console, queue_row, step, type_into};
use crate::support::{Backend, browser::Browser, customer, skip_or_fail, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_change_live_and_a_closed_ticket_is_found_in_history() {
    let (Some(alice_browser), Some(sam_browser)) = (
        Browser::launch().await.expect("launching Chromium"),
        Browser::launch().await.expect("launching Chromium"),
    ) else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    let alice = logged_in_console(&alice_browser, &app.address, "alice").await;
    let sam = logged_in_console(&sam_browser, &app.address, "sam").await;
    let number = app
        .customer_opens_ticket(&customer(7301, "Ann"), "Hello")
        .await;
    app.customer_opens_ticket(&customer(7302, "Zed"), "Hi")
        .await;
    let row = queue_row(number);

    // alice writes a note; sam, a supervisor, may edit it; alice sees his edit live.
    step(
        &alice,
        "the ticket listed",
        &format!("document.querySelector(\"{row}\")"),
    )
    .await;
    click(
        &alice,
        "alice opens the notes",
        &format!("{row} .notes-button"),
    )
    .await;
    type_into(&alice, "typing a note", "#note-text", "Asked for a refund").await;
    step(
        &alice,
        "the counter counts characters",
        "document.querySelector('#note-counter').textContent === '18/2000'",
    )
    .await;
    click(&alice, "adding it", "#note-add").await;
    step(
        &sam,
        "sam's card counts it",
        &format!("document.querySelector(\"{row} .notes-count\")?.textContent === '1'"),
    )
    .await;
    click(&sam, "sam opens the ticket", &row).await;
    click(&sam, "sam opens the notes", "#chat-notes").await;
    step(
        &sam,
        "sam may edit alice's note",
        "document.querySelector('#notes-list .note .note-edit')",
    )
    .await;
    click(&sam, "sam edits it", "#notes-list .note .note-edit").await;
    type_into(&sam, "typing", ".note-editor textarea", " (approved)").await;
    click(&sam, "saving", ".note-editor .note-save").await;
    step(
        &alice,
        "alice sees the edit live",
        "[...document.querySelectorAll('#notes-list .note')].some(n => n.textContent.includes('Asked for a refund (approved)') && n.textContent.includes('edited'))",
    )
    .await;

    // sam writes one: alice, an agent, may neither edit nor delete it.
    type_into(
        &sam,
        "sam types a note",
        "#note-text",
        "Call back on Monday",
    )
    .await;
    click(&sam, "adding it", "#note-add").await;
    let sams_note = "[...document.querySelectorAll('#notes-list .note')].find(n => n.textContent.includes('Call back on Monday'))";
    step(&alice, "sam's note arrives", sams_note).await;
    let buttons = eval(
        &alice,
        "sam's note's buttons",
        &format!("{sams_note}.querySelectorAll('button').length"),
    )
    .await;
    assert_eq!(buttons, 0, "an agent cannot change a supervisor's note");

    // alice deletes her own note (Delete, then confirm): gone on sam's console too.
    let alices_note = "[...document.querySelectorAll('#notes-list .note')].find(n => n.textContent.includes('Asked for a refund'))";
    eval(
        &alice,
        "clicking Delete",
        &format!("{alices_note}.querySelector('.note-delete').click()"),
    )
    .await;
    click(
        &alice,
        "confirming the delete",
        "#notes-list .note-delete[data-confirm='yes']",
    )
    .await;
    step(
        &sam,
        "the note is gone from sam's console and the count follows",
        &format!("!document.body.textContent.includes('Asked for a refund') && document.querySelector(\"{row} .notes-count\")?.textContent === '1'"),
    )
    .await;

    // alice closes the ticket; History finds it by username, not by another's.
    click(&alice, "alice selects the ticket", &row).await;
    click(&alice, "accepting", "#chat-accept").await;
    step(
        &alice,
        "accepted",
        "!document.querySelector('#chat-close').hidden",
    )
    .await;
    click(&alice, "opening Close", "#chat-close").await;
    click(
        &alice,
        "choosing Duplicate",
        "#close-dialog input[value='duplicate']",
    )
    .await;
    click(&alice, "closing", "#close-submit").await;
    step(
        &alice,
        "closed",
        &format!("!document.querySelector(\"{row}\")"),
    )
    .await;
    alice
        .press_key("h")
        .await
        .unwrap_or_else(|e| fail(&alice, "opening History with h", e));
    step(
        &alice,
        "History lists the closed ticket",
        &format!("!document.querySelector('#history-section').hidden && document.querySelectorAll('#history-list .history-row').length === 1 && document.querySelector(\"#history-list .history-row[data-ticket-id='{number}']\")"),
    )
    .await;
    type_into(&alice, "searching another client", "#history-q", "zed").await;
    step(
        &alice,
        "nothing closed for zed",
        "document.querySelectorAll('#history-list .history-row').length === 0 && !document.querySelector('#history-empty').hidden",
    )
    .await;
    for _ in 0..3 {
        alice
            .press_key("Backspace")
            .await
            .unwrap_or_else(|e| fail(&alice, "clearing the search", e));
    }
    type_into(&alice, "searching by Client Id", "#history-q", "7301").await;
    step(
        &alice,
        "found by Client Id",
        &format!(
            "document.querySelector(\"#history-list .history-row[data-ticket-id='{number}']\")"
        ),
    )
    .await;
    click(&alice, "opening it", "#history-list .history-open").await;
    step(
        &alice,
        "shown read-only with its timeline",
        "document.querySelector('#chat-status').dataset.status === 'closed' && document.querySelector('#reply-form').hidden && document.querySelector('#chat-close').hidden && document.querySelector('#chat-reassign').hidden && [...document.querySelectorAll('#chat-history .timeline[data-kind=closed]')].some(l => l.textContent.includes('Closed: Duplicate'))",
    )
    .await;
    click(
        &alice,
        "listing the client's tickets",
        "#chat-client-tickets",
    )
    .await;
    step(
        &alice,
        "the client's tickets listed",
        &format!("document.querySelector('#client-tickets-dialog').open && document.querySelector(\"#client-tickets-list .history-row[data-ticket-id='{number}']\")"),
    )
    .await;
}
