//! A customer's photo shows inline in the console: the `<img>` loads the file through the
//! console's route (from the fake Telegram) and is drawn with its real width; a voice note gets a
//! player and a document a link; an edit shows live, marked "edited".

use serde_json::json;
use switchboard::simulator::samples;

use super::{logged_in_console, open_from_queue, step};
use crate::support::{Backend, browser::Browser, customer, skip_or_fail, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customers_photo_shows_inline() {
    let Some(browser) = Browser::launch().await.expect("launching Chromium") else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    app.add_agent("alice", switchboard::domain::Role::Agent, &["General"])
        .await;
    let alice = logged_in_console(&browser, &app.address, "alice").await;

    let ann = customer(7301, "Ann");
    let number = app.customer_opens_ticket(&ann, "Look at this").await;
    open_from_queue(&alice, number).await;
    step(
        &alice,
        "the first message shown",
        "document.querySelector('#chat-history').textContent.includes('Look at this')",
    )
    .await;

    let photo = app
        .telegram
        .register_file("photos", "png", samples::png(40, 30));
    app.telegram.customer_sends(
        &ann,
        json!({"photo": [photo.with(json!({"width": 40, "height": 30}))], "caption": "the broken part"}),
    );
    step(
        &alice,
        "the photo is drawn inline, loaded with its real size",
        "(() => { const img = document.querySelector('#chat-history .message-media img.media-photo'); \
         return img && img.complete && img.naturalWidth === 40 && img.naturalHeight === 30; })()",
    )
    .await;
    step(
        &alice,
        "the caption shown as the text",
        "document.querySelector('#chat-history').textContent.includes('the broken part')",
    )
    .await;

    let voice = app
        .telegram
        .register_file("voice", "wav", samples::wav(440.0, 300));
    app.telegram.customer_sends(
        &ann,
        json!({"voice": voice.with(json!({"duration": 1, "mime_type": "audio/wav"}))}),
    );
    let document =
        app.telegram
            .register_file("documents", "txt", samples::text_document("Receipt"));
    app.telegram.customer_sends(
        &ann,
        json!({"document": document.with(json!({"file_name": "receipt.txt", "mime_type": "text/plain"}))}),
    );
    step(
        &alice,
        "the voice note gets a player and the document a link",
        "document.querySelector('#chat-history audio.media-audio[controls]') && \
         document.querySelector('#chat-history a.media-document')?.textContent.includes('receipt.txt')",
    )
    .await;

    let sent = app
        .telegram
        .customer_sends(&ann, json!({"text": "my order is 123"}));
    step(
        &alice,
        "the text shown",
        "document.querySelector('#chat-history').textContent.includes('my order is 123')",
    )
    .await;
    app.telegram
        .customer_edits(&ann, sent.message_id, "my order is 124", false);
    step(
        &alice,
        "the edit shown live, marked edited",
        "(() => { const h = document.querySelector('#chat-history'); \
         return h.textContent.includes('my order is 124') && !h.textContent.includes('my order is 123') \
         && h.querySelector('.message-edited')?.title.includes('my order is 123'); })()",
    )
    .await;
}
