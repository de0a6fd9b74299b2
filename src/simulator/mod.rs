//! A simulated Telegram: a fake Bot API server on loopback that the real teloxide bot talks to, and
//! simulated customers for the demo. The tests use the same server. It follows the official Bot
//! API: PascalCase or any-case method names, `{"ok":false,...}` bodies with 400, 401, 403, 404 and
//! 429 (`parameters.retry_after`), getUpdates long polling with offset confirmation, and webhook
//! delivery with retries (`webhook`).

mod bot_api;
pub mod customers;
mod fake;
mod files;
mod state;
mod webhook;

pub use fake::FakeTelegram;
pub use files::SentFile;
pub use state::{Call, Customer, Delivery, Failure};
