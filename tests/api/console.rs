//! The console in a real headless Chromium: log in, a ticket arrives with the alert sound, Accept,
//! reply; the customer receives the reply on Telegram.

use crate::support::{
    Backend, WAIT, browser::Browser, customer, password_of, skip_or_fail, spawn_app,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_logs_in_hears_a_new_ticket_accepts_it_and_replies() {
    let Some(browser) = Browser::launch().await.expect("launching Chromium") else {
        skip_or_fail("Chromium is not installed (apt-get install chromium)");
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.agent("alice").await;
    let bob = app.agent("bob").await;
    let page = browser
        .new_page(&app.address)
        .await
        .expect("opening the console");
    let fail = |what: &str, error: anyhow::Error| -> ! {
        panic!("{what}: {error:#}\nconsole log: {:#?}", page.console_log());
    };

    page.wait_for(
        "document.querySelector('#login-form') && !document.querySelector('#login-view').hidden",
        WAIT,
    )
    .await
    .unwrap_or_else(|e| fail("login form shown", e));
    page.type_into("#login-login", "alice")
        .await
        .unwrap_or_else(|e| fail("typing the login", e));
    page.type_into("#login-password", &password_of("alice"))
        .await
        .unwrap_or_else(|e| fail("typing the password", e));
    page.click("#login-submit")
        .await
        .unwrap_or_else(|e| fail("clicking log in", e));
    page.wait_for("!document.querySelector('#console-view').hidden && document.querySelector('#connection').dataset.state === 'open'", WAIT)
        .await
        .unwrap_or_else(|e| fail("console shown and live", e));
    // Count the alert's play events from now on.
    page.eval("window.alertPlays = 0; document.querySelector('#alert-sound').addEventListener('play', () => window.alertPlays++); true")
        .await
        .unwrap_or_else(|e| fail("listening for the alert", e));

    let ann = customer(7001, "Ann");
    let number = app
        .customer_opens_ticket(&ann, "<b>Hello</b> from Telegram")
        .await;
    let row = format!("#queue li.ticket[data-ticket-id='{number}']");
    page.wait_for(&format!("document.querySelector(\"{row}\")"), WAIT)
        .await
        .unwrap_or_else(|e| fail("ticket row shown", e));
    page.wait_for("window.alertPlays >= 1", WAIT)
        .await
        .unwrap_or_else(|e| fail("the alert sound played", e));
    let shown = page
        .eval(&format!(
            "(() => {{ const r = document.querySelector(\"{row}\"); return [r.querySelector('.ticket-username').textContent, \
             r.querySelector('.ticket-client-id').textContent, r.querySelector('.ticket-department').textContent, \
             r.querySelector('.ticket-platform').textContent, r.querySelector('.ticket-status').textContent]; }})()"
        ))
        .await
        .unwrap_or_else(|e| fail("reading the row", e));
    let shown: Vec<String> = serde_json::from_value(shown).expect("row texts");
    assert!(shown[0].contains("ann"), "{shown:?}");
    assert!(
        shown[1].contains("7001") && shown[2].contains("General") && shown[3].contains("telegram"),
        "{shown:?}"
    );
    assert!(shown[4].to_lowercase().contains("pending"), "{shown:?}");

    page.click(&format!("{row} button.accept"))
        .await
        .unwrap_or_else(|e| fail("clicking Accept", e));
    page.wait_for(&format!("document.querySelector(\"{row} .ticket-owner\")?.textContent.includes('Accepted by: Alice')"), WAIT)
        .await
        .unwrap_or_else(|e| fail("Accepted by shown", e));
    let on_bob = bob.get(&format!("/api/tickets/{number}")).await.body;
    assert_eq!(on_bob["owner"]["name"], "Alice");

    page.wait_for("!document.querySelector('#reply-form').hidden", WAIT)
        .await
        .unwrap_or_else(|e| fail("reply box shown", e));
    let history = page
        .eval("document.querySelector('#chat-history').textContent")
        .await
        .unwrap_or_else(|e| fail("history", e));
    assert!(
        history
            .as_str()
            .is_some_and(|h| h.contains("<b>Hello</b> from Telegram")),
        "customer text shown as text: {history}"
    );
    let bold = page
        .eval("document.querySelectorAll('#chat-history b').length")
        .await
        .unwrap_or_else(|e| fail("markup", e));
    assert_eq!(bold, 0, "customer text never becomes markup");

    page.type_into("#reply-text", "Hi Ann, looking into it")
        .await
        .unwrap_or_else(|e| fail("typing the reply", e));
    page.click("#reply-send")
        .await
        .unwrap_or_else(|e| fail("sending", e));
    let sent = app
        .telegram
        .wait_for_message_to(ann.id, "Hi Ann, looking into it", WAIT)
        .await;
    assert!(
        sent.is_some(),
        "the customer received the reply on Telegram"
    );
    page.wait_for("[...document.querySelectorAll('#chat-history .message.out .message-delivery')].some(e => e.textContent.includes('sent'))", WAIT)
        .await
        .unwrap_or_else(|e| fail("delivery shown as sent", e));

    app.telegram.customer_says(&ann, "Thank you!");
    page.wait_for(
        "document.querySelector('#chat-history').textContent.includes('Thank you!')",
        WAIT,
    )
    .await
    .unwrap_or_else(|e| fail("the customer's answer appears live", e));
    if let Ok(dir) = std::env::var("SWITCHBOARD_SCREENSHOTS") {
        let _ = page
            .screenshot(&std::path::Path::new(&dir).join("console.png"))
            .await;
    }
}
