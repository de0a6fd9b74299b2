//! An agent quotes the customer's message with Reply, attaches a document (the file input's files
//! set through DataTransfer, as a drop would), and the fake Telegram receives the same bytes with
//! the caption, quoting the customer's message; the console shows the file queued, then sent.

use switchboard::domain::Role;

use super::{click, eval, fail, logged_in_console, queue_row, step, type_into};
use crate::support::{Backend, WAIT, browser::Browser, customer, skip_or_fail, spawn_app};

/// The document's bytes, as the page builds them.
const BYTES: [u8; 12] = [37, 80, 68, 70, 45, 49, 46, 55, 10, 0, 255, 7];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agents_uploaded_document_reaches_the_customer_quoting_their_message() {
    let Some(browser) = Browser::launch().await.expect("launching Chromium") else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.add_agent("alice", Role::Agent, &["General"]).await;
    let alice = logged_in_console(&browser, &app.address, "alice").await;
    let ann = customer(7951, "Ann");
    let number = app
        .customer_opens_ticket(&ann, "Please send the invoice")
        .await;
    let row = queue_row(number);
    step(
        &alice,
        "the ticket is listed",
        &format!("document.querySelector(\"{row} button.accept\")"),
    )
    .await;
    click(&alice, "accepting", &format!("{row} button.accept")).await;
    step(
        &alice,
        "the reply box and the customer's message shown",
        "!document.querySelector('#reply-form').hidden && document.querySelector('#chat-history li.message.in button.message-reply')",
    )
    .await;

    click(
        &alice,
        "quoting the customer's message",
        "#chat-history li.message.in button.message-reply",
    )
    .await;
    step(
        &alice,
        "the quoted message shown above the reply box",
        "!document.querySelector('#reply-quote').hidden && document.querySelector('#reply-quote-text').textContent.includes('Please send the invoice')",
    )
    .await;
    type_into(&alice, "typing the caption", "#reply-text", "Here it is").await;
    let attached = eval(
        &alice,
        "attaching the document",
        &format!(
            "(() => {{ const dt = new DataTransfer(); \
             dt.items.add(new File([new Uint8Array({BYTES:?})], 'invoice.pdf', {{ type: 'image/png' }})); \
             const input = document.querySelector('#reply-file'); input.files = dt.files; \
             input.dispatchEvent(new Event('change')); return input.files.length === 0; }})()"
        ),
    )
    .await;
    assert_eq!(
        attached, true,
        "the input is emptied once its files are taken"
    );

    let Some(sent) = app.telegram.wait_for_file_to(ann.chat(), WAIT).await else {
        fail(
            &alice,
            "the document reaching Telegram",
            anyhow::anyhow!("no file sent"),
        );
    };
    assert_eq!(sent.kind, "document", "the client's type is not trusted");
    assert_eq!(sent.bytes, BYTES);
    assert_eq!(sent.file_name.as_deref(), Some("invoice.pdf"));
    assert_eq!(sent.caption.as_deref(), Some("Here it is"));
    assert!(sent.reply_to.is_some(), "it quotes the customer's message");
    step(
        &alice,
        "the file shown in the chat as sent, the quote and caption cleared",
        "[...document.querySelectorAll('#chat-history li.message.out')].some(li => \
         li.querySelector('.message-file')?.textContent.includes('invoice.pdf') \
         && li.querySelector('.message-quote')?.textContent.includes('Please send the invoice') \
         && li.querySelector('.message-delivery')?.dataset.delivery === 'sent') \
         && document.querySelector('#reply-quote').hidden && document.querySelector('#reply-text').value === ''",
    )
    .await;
}
