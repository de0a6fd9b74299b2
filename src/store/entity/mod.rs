//! sea-orm entities, one per table. Plain rows: the store's query files give them meaning.

pub mod agent;
pub mod agent_department;
pub mod agent_presence;
pub mod agent_setting;
pub mod audit_entry;
pub mod bot_text_override;
pub mod canned_response;
pub mod client;
pub mod client_note;
pub mod dead_letter;
pub mod department;
pub mod event;
pub mod event_watermark;
pub mod login_failure;
pub mod message;
pub mod outbound_file;
pub mod rating;
pub mod read_marker;
pub mod session;
pub mod telegram_update;
pub mod ticket;
pub mod ticket_change;
pub mod transcript_post;
