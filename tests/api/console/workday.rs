//! An operator's working day across three consoles: a ticket routed, reassigned between
//! departments and agents, a `#` note seen live, Cancel, Close, and the customer reopening it.

use switchboard::domain::Role;

use super::{
    alert_plays, click, eval, fail, logged_in_console, open_reassign, queue_row, step, type_into,
};
use crate::support::{Backend, WAIT, browser::Browser, customer, skip_or_fail, spawn_app};

/// Three consoles — alice in General, bob in Billing, sam a supervisor — and one ticket through a
/// working day: it arrives in General (alice hears it, bob does not) and waits with a ticking wait
/// time; sam's online board follows alice going away and back; alice accepts it and passes
/// it to Billing (bob hears it and has it, alice no longer); bob accepts (key `a`) and writes a `#` note that
/// sam sees appear live; Cancel in the Reassign dialog sends nothing; sam gives the ticket to alice
/// (she is alerted and owns it); alice closes it as Resolved (the customer is told); the customer
/// writes again and the ticket is back in General's queue with the note on it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_consoles_pass_a_ticket_around_note_it_close_it_and_see_it_reopen() {
    let (Some(alice_browser), Some(bob_browser), Some(sam_browser)) = (
        Browser::launch().await.expect("launching Chromium"),
        Browser::launch().await.expect("launching Chromium"),
        Browser::launch().await.expect("launching Chromium"),
    ) else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    let billing = app.add_department("Billing").await;
    let alice_id = app.add_agent("alice", Role::Agent, &["General"]).await;
    let bob_id = app.add_agent("bob", Role::Agent, &["Billing"]).await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    let alice = logged_in_console(&alice_browser, &app.address, "alice").await;
    let bob = logged_in_console(&bob_browser, &app.address, "bob").await;
    let sam = logged_in_console(&sam_browser, &app.address, "sam").await;

    // A ticket arrives in General: alice hears it, bob (Billing) neither sees nor hears it.
    let ann = customer(7101, "Ann");
    app.telegram.customer_says(&ann, "I was charged twice");
    let number = step(
        &sam,
        "the new ticket shown to the supervisor",
        "document.querySelector('#queue li.ticket')?.dataset.ticketId",
    )
    .await;
    let number: i64 = number
        .as_str()
        .and_then(|n| n.parse().ok())
        .expect("a ticket id on the row");
    let row = queue_row(number);
    step(
        &alice,
        "ticket shown in General",
        &format!("document.querySelector(\"{row} button.accept\")"),
    )
    .await;
    step(
        &alice,
        "alice heard the new ticket",
        "window.alertPlays >= 1",
    )
    .await;
    let general: i64 = serde_json::from_value(
        eval(
            &alice,
            "reading the department",
            &format!("window.switchboard.state.tickets.get({number}).department.id"),
        )
        .await,
    )
    .expect("a department id");
    assert_eq!(alert_plays(&bob).await, 0, "bob is not in General");
    let waited = eval(
        &alice,
        "reading the wait time",
        &format!("document.querySelector(\"{row} .ticket-wait\").textContent"),
    )
    .await;
    step(
        &alice,
        "the wait time ticks on the card",
        &format!("document.querySelector(\"{row} .ticket-wait\").textContent !== {waited}"),
    )
    .await;
    let bob_rows = eval(
        &bob,
        "bob's queue",
        "document.querySelectorAll('#queue li.ticket').length",
    )
    .await;
    assert_eq!(bob_rows, 0, "bob does not see General's ticket");

    // The online board: sam sees alice online in General and bob in Billing; alice steps away
    // and back, and sam's board follows.
    let alice_on_board = format!(
        "#board-list section[data-department-id='{general}'] li[data-agent-id='{alice_id}']"
    );
    let bob_on_board =
        format!("#board-list section[data-department-id='{billing}'] li[data-agent-id='{bob_id}']");
    step(
        &sam,
        "alice and bob online on the board",
        &format!("document.querySelector(\"{alice_on_board}\")?.dataset.presence === 'online' && document.querySelector(\"{bob_on_board}\")?.dataset.presence === 'online'"),
    )
    .await;
    click(&alice, "alice steps away", "#presence-toggle").await;
    step(
        &alice,
        "alice's toggle says away",
        "document.querySelector('#presence-toggle').dataset.presence === 'away'",
    )
    .await;
    step(
        &sam,
        "sam's board shows alice away",
        &format!("document.querySelector(\"{alice_on_board}\")?.dataset.presence === 'away'"),
    )
    .await;
    click(&alice, "alice is back", "#presence-toggle").await;
    step(
        &sam,
        "sam's board shows alice online again",
        &format!("document.querySelector(\"{alice_on_board}\")?.dataset.presence === 'online'"),
    )
    .await;

    // alice accepts and passes it to Billing with a note.
    click(&alice, "clicking Accept", &format!("{row} button.accept")).await;
    step(
        &alice,
        "alice owns it",
        "!document.querySelector('#reply-form').hidden && !document.querySelector('#chat-reassign').hidden",
    )
    .await;
    open_reassign(&alice, "opening Reassign").await;
    let billing_radio = format!("#reassign-dialog input[name='department'][value='{billing}']");
    step(
        &alice,
        "the dialog lists Billing",
        &format!("document.querySelector('#reassign-dialog').open && document.querySelector(\"{billing_radio}\")"),
    )
    .await;
    click(&alice, "choosing Billing", &billing_radio).await;
    type_into(
        &alice,
        "typing the note",
        "#reassign-note",
        "double charge, refund pending",
    )
    .await;
    click(&alice, "confirming", "#reassign-submit").await;
    step(
        &alice,
        "the dialog closed and the ticket left alice's queue",
        &format!(
            "!document.querySelector('#reassign-dialog').open && !document.querySelector(\"{row}\")"
        ),
    )
    .await;
    step(
        &alice,
        "alice's chat says it moved",
        "document.querySelector('#chat-status').dataset.status === 'moved' && document.querySelector('#reply-form').hidden",
    )
    .await;
    let told = app
        .telegram
        .wait_for_message_to(ann.chat(), "was passed to Billing", WAIT)
        .await;
    assert!(
        told.is_some(),
        "the customer is told where the request went"
    );

    // bob hears it, accepts it, and sees where it came from.
    step(
        &bob,
        "the ticket arrives in Billing",
        &format!("document.querySelector(\"{row} button.accept\")"),
    )
    .await;
    step(&bob, "bob heard it", "window.alertPlays >= 1").await;
    // From the keyboard: select the card, then `a`.
    click(&bob, "bob selects the ticket", &row).await;
    bob.press_key("a")
        .await
        .unwrap_or_else(|e| fail(&bob, "bob accepts with the a key", e));
    step(
        &bob,
        "bob owns it and sees the reassign line with its note",
        "!document.querySelector('#reply-form').hidden && [...document.querySelectorAll('#chat-history .timeline[data-kind=reassigned]')].some(l => l.textContent.includes('Alice passed to Billing') && l.textContent.includes('double charge, refund pending'))",
    )
    .await;

    // sam opens the ticket's notes; bob writes one; sam sees it appear, and the count on the card.
    click(&sam, "sam opens the ticket", &row).await;
    sam.press_key("#")
        .await
        .unwrap_or_else(|e| fail(&sam, "sam opens the notes with the # key", e));
    step(
        &sam,
        "sam's notes panel is open and empty",
        "!document.querySelector('#notes-panel').hidden && document.querySelectorAll('#notes-list .note').length === 0 && !document.querySelector('#notes-empty').hidden",
    )
    .await;
    click(&bob, "bob opens the notes", &format!("{row} .notes-button")).await;
    type_into(
        &bob,
        "typing the note",
        "#note-text",
        "VIP <b>customer</b>: prefers email",
    )
    .await;
    click(&bob, "adding the note", "#note-add").await;
    step(
        &bob,
        "bob's note listed with his name",
        "[...document.querySelectorAll('#notes-list .note')].some(n => n.textContent.includes('VIP <b>customer</b>: prefers email') && n.querySelector('.note-author').textContent === 'Bob')",
    )
    .await;
    step(
        &sam,
        "the note appears live on sam's console",
        "[...document.querySelectorAll('#notes-list .note')].some(n => n.textContent.includes('VIP <b>customer</b>: prefers email'))",
    )
    .await;
    step(
        &sam,
        "the card counts the note",
        &format!("document.querySelector(\"{row} .notes-count\")?.textContent === '1'"),
    )
    .await;

    // Cancel (and Escape) in the Reassign dialog change nothing and send nothing.
    open_reassign(&sam, "sam opens Reassign").await;
    let general_radio = format!("#reassign-dialog input[name='department'][value='{general}']");
    step(
        &sam,
        "the dialog lists General",
        &format!("document.querySelector(\"{general_radio}\")"),
    )
    .await;
    click(&sam, "choosing General", &general_radio).await;
    click(&sam, "Cancel", "#reassign-cancel").await;
    step(
        &sam,
        "the dialog closed",
        "!document.querySelector('#reassign-dialog').open",
    )
    .await;
    open_reassign(&sam, "sam opens Reassign again").await;
    step(
        &sam,
        "the dialog is open",
        "document.querySelector('#reassign-dialog').open",
    )
    .await;
    sam.press_key("Escape")
        .await
        .unwrap_or_else(|e| fail(&sam, "pressing Escape", e));
    step(
        &sam,
        "Escape closed the dialog",
        "!document.querySelector('#reassign-dialog').open",
    )
    .await;
    let sent = eval(
        &sam,
        "counting reassign requests",
        "performance.getEntriesByType('resource').filter(e => e.name.includes('/api/tickets/') && e.name.endsWith('/reassign')).length",
    )
    .await;
    assert_eq!(sent, 0, "Cancel and Escape send nothing");
    step(
        &sam,
        "the ticket is still bob's",
        &format!("document.querySelector(\"{row} .ticket-owner\")?.textContent.includes('Accepted by: Bob')"),
    )
    .await;

    // sam gives it to alice: she is alerted, told who passed it, and owns it.
    let alice_alerts = alert_plays(&alice).await;
    open_reassign(&sam, "sam opens Reassign once more").await;
    let alice_radio = format!(
        "#reassign-dialog fieldset[data-department-id='{general}'] input[name='agent'][value='{alice_id}']"
    );
    step(
        &sam,
        "the dialog lists alice under General",
        &format!("document.querySelector(\"{alice_radio}\")"),
    )
    .await;
    click(&sam, "choosing alice", &alice_radio).await;
    step(
        &sam,
        "choosing alice chose General",
        &format!("document.querySelector(\"{general_radio}\").checked"),
    )
    .await;
    click(&sam, "confirming", "#reassign-submit").await;
    step(
        &alice,
        "alice hears that the ticket is hers",
        &format!("window.alertPlays > {alice_alerts} && document.querySelector('#notice').textContent.includes('Sam passed ticket #{number} to you')"),
    )
    .await;
    step(
        &alice,
        "alice owns it, on top of her queue",
        &format!("document.querySelector('#queue li.ticket')?.dataset.ticketId === '{number}' && document.querySelector(\"{row}\").classList.contains('mine') && document.querySelector(\"{row} .ticket-owner\").textContent.includes('Accepted by: Alice')"),
    )
    .await;
    step(
        &bob,
        "the ticket left bob's queue",
        &format!("!document.querySelector(\"{row}\")"),
    )
    .await;

    // alice closes it as Resolved; the customer is told.
    click(&alice, "alice opens the ticket", &row).await;
    step(
        &alice,
        "Close offered to the owner",
        "!document.querySelector('#chat-close').hidden",
    )
    .await;
    alice
        .press_key("c")
        .await
        .unwrap_or_else(|e| fail(&alice, "alice opens Close with the c key", e));
    step(
        &alice,
        "Resolved is the default reason",
        "document.querySelector('#close-dialog').open && document.querySelector('#close-dialog input[value=resolved]').checked",
    )
    .await;
    type_into(
        &alice,
        "typing the comment",
        "#close-comment",
        "refund issued",
    )
    .await;
    alice
        .press_key("Enter")
        .await
        .unwrap_or_else(|e| fail(&alice, "confirming with Enter", e));
    step(
        &alice,
        "closed: off the queue, a line in the chat",
        &format!("!document.querySelector('#close-dialog').open && !document.querySelector(\"{row}\") && [...document.querySelectorAll('#chat-history .timeline[data-kind=closed]')].some(l => l.textContent.includes('Closed: Resolved') && l.textContent.includes('refund issued'))"),
    )
    .await;
    let closed = app
        .telegram
        .wait_for_message_to(ann.chat(), "is closed", WAIT)
        .await;
    assert!(
        closed.is_some(),
        "the customer is told the request is closed"
    );

    // The customer writes again: the same ticket is back in General with the note on it.
    let alice_alerts = alert_plays(&alice).await;
    app.telegram.customer_says(&ann, "Sorry, one more question");
    step(
        &alice,
        "the ticket reopens in alice's queue with the alert",
        &format!(
            "document.querySelector(\"{row} button.accept\") && window.alertPlays > {alice_alerts}"
        ),
    )
    .await;
    step(
        &alice,
        "its card counts the note",
        &format!("document.querySelector(\"{row} .notes-count\")?.textContent === '1'"),
    )
    .await;
    click(
        &alice,
        "opening the notes from the card",
        &format!("{row} .notes-button"),
    )
    .await;
    step(
        &alice,
        "the note is shown, and the reopen line",
        "[...document.querySelectorAll('#notes-list .note')].some(n => n.textContent.includes('VIP <b>customer</b>: prefers email')) && [...document.querySelectorAll('#chat-history .timeline[data-kind=reopened]')].some(l => l.textContent.includes('Reopened'))",
    )
    .await;
    let markup = eval(
        &alice,
        "markup",
        "document.querySelectorAll('#chat-history b, #notes-list b').length",
    )
    .await;
    assert_eq!(markup, 0);
    if let Ok(dir) = std::env::var("SWITCHBOARD_SCREENSHOTS") {
        for (page, name) in [(&alice, "alice"), (&bob, "bob"), (&sam, "sam")] {
            let _ = page
                .screenshot(&std::path::Path::new(&dir).join(format!("workday-{name}.png")))
                .await;
        }
    }
}
