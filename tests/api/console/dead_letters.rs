//! An admin opens the console's Dead letters dialog and sees a poison update as text (its markup
//! not run). Agents get 403 from the route (tests/api/dead_letters.rs) and see no button.

use serde_json::json;
use switchboard::domain::Role;

use super::{click, eval, logged_in_console, step};
use crate::support::{Backend, WAIT, browser::Browser, customer, skip_or_fail, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sees_a_poison_update_in_the_dead_letters_dialog_as_text() {
    let Some(browser) = Browser::launch().await.expect("launching Chromium") else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.add_agent("root", Role::Admin, &[]).await;
    let poison = app.telegram.push_raw_update(json!({
        "message": {"message_id": "<img src=x onerror=window.pwned=1>", "chat": "nowhere"}
    }));
    app.customer_opens_ticket(&customer(9501, "Ann"), "after it")
        .await;
    assert!(app.telegram.wait_confirmed(poison, WAIT).await);

    let root = logged_in_console(&browser, &app.address, "root").await;
    click(&root, "opening Dead letters", "#dead-letters-button").await;
    let shown = step(
        &root,
        "the dialog lists the dead letter",
        "(() => { const d = document.querySelector('#dead-letters-dialog'); \
         const rows = [...d.querySelectorAll('[data-testid=dead-letter]')]; \
         return d.open && rows.length === 1 && rows[0].textContent; })()",
    )
    .await;
    let text = shown.as_str().expect("the row's text");
    assert!(text.contains(&format!("update {poison}")), "{text}");
    assert!(
        text.contains("<img src=x onerror=window.pwned=1>"),
        "{text}"
    );
    let injected = eval(
        &root,
        "no markup ran",
        "Boolean(window.pwned) || document.querySelectorAll('#dead-letters-dialog img').length",
    )
    .await;
    assert!(
        injected == json!(false) || injected == json!(0),
        "{injected}"
    );
}
