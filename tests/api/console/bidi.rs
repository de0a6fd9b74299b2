//! A customer's name cannot reorder the console's own text: a name ending in a right-to-left
//! override (U+202E) leaves "Client Id 880002" reading left to right, in the chat header and on the
//! queue card.

use switchboard::{domain::TelegramUserId, simulator::Customer};

use super::{eval, logged_in_console, open_from_queue, step};
use crate::support::{Backend, browser::Browser, skip_or_fail, spawn_app};

/// The on-screen x of the first and last characters of `needle` inside `selector`, as drawn: for
/// text that reads left to right the first is left of the last.
fn drawn_order(selector: &str, needle: &str) -> String {
    format!(
        "(() => {{
            const root = document.querySelector({selector:?});
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            const text = [];
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {{
                for (let i = 0; i < n.data.length; i++) text.push([n, i]);
            }}
            const joined = text.map(([n, i]) => n.data[i]).join('');
            const at = joined.indexOf({needle:?});
            if (at < 0) return null;
            const x = ([n, i]) => {{
                const r = document.createRange();
                r.setStart(n, i);
                r.setEnd(n, i + 1);
                return r.getBoundingClientRect().left;
            }};
            return [x(text[at]), x(text[at + {last}])];
        }})()",
        last = needle.chars().count() - 1,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_right_to_left_override_in_a_name_does_not_reorder_the_text_around_it() {
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

    let maria = Customer::new(TelegramUserId(880002), "Maria\u{202E}", None);
    let number = app.customer_opens_ticket(&maria, "Hello").await;
    let row = open_from_queue(&alice, number).await;
    step(
        &alice,
        "the chat header names the client",
        "document.querySelector('#chat-title').textContent.includes('880002')",
    )
    .await;

    for (selector, needle) in [
        ("#chat-title", "Client Id 880002"),
        (row.as_str(), "880002"),
    ] {
        let drawn = eval(
            &alice,
            "measuring the drawn text",
            &drawn_order(selector, needle),
        )
        .await;
        let drawn: Option<(f64, f64)> = serde_json::from_value(drawn).expect("two positions");
        let (first, last) = drawn.unwrap_or_else(|| panic!("{needle:?} is not in {selector}"));
        assert!(
            first < last,
            "{needle:?} in {selector} is drawn right to left (first char at x={first}, last at \
             x={last}): the name's override leaked into it"
        );
    }
}
