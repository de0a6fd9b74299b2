//! A simulated Telegram: a fake Bot API server on loopback that the real teloxide bot talks to, and
//! simulated customers for the demo. The tests use the same server. It follows the official Bot
//! API: PascalCase or any-case method names, `{"ok":false,...}` bodies with 400, 401, 403, 404 and
//! 429 (`parameters.retry_after`), getUpdates long polling with offset confirmation, and webhook
//! delivery with retries (`webhook`), and files: `getFile` and downloads at
//! `/file/bot<token>/<file_path>` of files tests register (`files`; `samples` makes small valid ones).

mod bot_api;
mod commands;
pub mod customers;
mod fake;
mod files;
pub mod samples;
mod state;
mod uploads;
mod webhook;

pub use fake::FakeTelegram;
pub use files::{FakeFile, Sent};
pub use state::{Call, Customer, Delivery, Failure};
pub use uploads::SentFile;
