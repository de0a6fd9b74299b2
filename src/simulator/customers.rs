//! Simulated customers for the demo: a new one writes every few seconds, chooses a team when asked
//! (customers take turns over the buttons), answers the agent's replies after a short pause, then
//! says thanks. Their first answer carries a file: a photo, a voice note or a document, in turn.
//! Once the ticket is closed they rate it (4 or 5 stars) and leave a comment.

use std::{collections::HashMap, time::Duration};

use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use super::{Customer, FakeTelegram};
use crate::domain::{ChatId, TelegramUserId};

/// The most customers one demo run creates.
const MAX_CUSTOMERS: usize = 200;

const PEOPLE: &[(&str, &str)] = &[
    ("Ann", "ann_k"),
    ("Boris", "boris_p"),
    ("Chloe", "chloe"),
    ("Dmitri", "dmitri_v"),
    ("Emma", "emma_w"),
    ("Farid", "farid"),
    ("Grace", "grace_h"),
    ("Hiro", "hiro_t"),
    ("Ines", "ines_m"),
    ("Jonas", "jonas"),
];

const OPENERS: &[&str] = &[
    "Hi! My order hasn't arrived yet, can you check?",
    "Hello, I was charged twice this month.",
    "How do I change the email on my account?",
    "The app keeps logging me out. Any idea why?",
    "Can I still return an item I bought three weeks ago?",
];

const FOLLOW_UPS: &[&str] = &[
    "Order number is 48213, if that helps.",
    "I already tried restarting it.",
    "Okay, and how long will that take?",
];

/// What a simulated customer says when invited to comment on their rating.
const RATING_COMMENT: &str = "Quick and friendly, thank you!";

/// Runs simulated customers until `shutdown`, one new customer every `every`.
pub async fn run(fake: FakeTelegram, every: Duration, shutdown: CancellationToken) {
    let mut calls = fake.subscribe();
    // How many agent replies each simulated customer has received (the first bot message is the
    // acknowledgement, which they do not answer).
    let mut replies: HashMap<ChatId, usize> = HashMap::new();
    let mut customers: HashMap<ChatId, Customer> = HashMap::new();
    let mut next = tokio::time::interval(every);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = next.tick(), if customers.len() < MAX_CUSTOMERS => {
                let n = customers.len();
                let (name, username) = PEOPLE[n % PEOPLE.len()];
                let customer = Customer::new(TelegramUserId(900_000 + n as i64), name, Some(&format!("{username}{}", n / PEOPLE.len())));
                fake.customer_says(&customer, OPENERS[n % OPENERS.len()]);
                customers.insert(customer.chat(), customer);
            }
            call = calls.recv() => {
                let call = match call {
                    Ok(call) => call,
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return,
                };
                if call.method != "sendmessage" {
                    continue;
                }
                let Some(customer) = call.body["chat_id"].as_i64().and_then(|id| customers.get(&ChatId(id))).cloned() else {
                    continue;
                };
                if let Some(label) = choice(&customer, &call.body) {
                    let fake = fake.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        fake.customer_presses(&customer, &label);
                    });
                    continue;
                }
                let text = call.body["text"].as_str().unwrap_or_default();
                // The bot's notices (the acknowledgement, a move, a close, the thanks for a
                // comment) are not answered: an answer to a close would reopen the ticket.
                if ["Thanks for your message!", "Your request #", "Thank you for your comment"]
                    .iter()
                    .any(|notice| text.starts_with(notice))
                {
                    continue;
                }
                if text.starts_with("Thanks for rating!") {
                    let fake = fake.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_secs(2)).await;
                        fake.customer_says(&customer, RATING_COMMENT);
                    });
                    continue;
                }
                let count = replies.entry(customer.chat()).or_default();
                *count += 1;
                let answer = FOLLOW_UPS.get(*count - 1).copied().unwrap_or("Great, that's all. Thank you!");
                let first = *count == 1;
                let fake = fake.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_secs(3)).await;
                    if first {
                        send_attachment(&fake, &customer, answer);
                    } else {
                        fake.customer_says(&customer, answer);
                    }
                });
            }
        }
    }
}

/// The customer sends a file with `caption`: a photo, a voice note or a document, by turns.
pub fn send_attachment(fake: &FakeTelegram, customer: &Customer, caption: &str) {
    let fields = match customer.id.0.unsigned_abs() % 3 {
        0 => {
            let file = fake.register_file("photos", "png", super::samples::png(96, 64));
            json!({"photo": [file.with(json!({"width": 96, "height": 64}))], "caption": caption})
        }
        1 => {
            let file = fake.register_file("voice", "wav", super::samples::wav(440.0, 1200));
            json!({"voice": file.with(json!({"duration": 1, "mime_type": "audio/wav"})), "caption": caption})
        }
        _ => {
            let file =
                fake.register_file("documents", "txt", super::samples::text_document("Receipt"));
            json!({
                "document": file.with(json!({"file_name": "receipt.txt", "mime_type": "text/plain"})),
                "caption": caption,
            })
        }
    };
    fake.push_message(customer, fields);
}

/// The button a simulated customer presses on a message with an inline keyboard: customers take
/// turns over the buttons, so every department gets some; asked for stars, they give 5 or 4 (demo
/// customers are mostly happy, so the reports look like a working team's).
fn choice(customer: &Customer, message: &serde_json::Value) -> Option<String> {
    let buttons: Vec<&str> = message["reply_markup"]["inline_keyboard"]
        .as_array()?
        .iter()
        .filter_map(serde_json::Value::as_array)
        .flatten()
        .filter_map(|b| b["text"].as_str())
        .collect();
    if buttons.is_empty() {
        return None;
    }
    let id = customer.id.0.unsigned_abs() as usize;
    let turn = if buttons.iter().all(|b| b.contains('★')) {
        buttons.len() - 1 - id % 2.min(buttons.len())
    } else {
        id % buttons.len()
    };
    Some(buttons[turn].to_owned())
}
