//! Switchboard: a Telegram live-chat operator console. Customers write to a bot; each conversation
//! becomes a ticket that agents accept and answer from the browser.

/// The periodic check of first-response targets.
pub mod breaches;
/// Command-line interface: serve, demo, agent and department administration.
pub mod cli;
/// The clock every timer reads: real time, or one tests move.
pub mod clock;
/// Typed settings from environment variables.
pub mod config;
/// The demo: a seeded database, a simulated Telegram and simulated customers.
pub mod demo;
/// Pure ticket rules: statuses, roles, who may do what.
pub mod domain;
/// The console server: JSON API, WebSocket, embedded console.
pub mod http;
/// Live fan-out of committed events to consoles, and the relay between instances.
pub mod hub;
/// Limits against abuse: login throttles, connection timeouts, WebSocket caps.
pub mod limits;
/// Counters for `/metrics` (Telegram calls by method).
pub mod metrics;
/// Presence: this instance's consoles in the database, heartbeat, sweep and relay.
pub mod presence;
/// The background pruner of old events and Telegram update ids.
pub mod retention;
/// The use-cases shared by the bot and the console.
pub mod service;
/// A fake Telegram Bot API server (for the demo and the tests) and simulated customers.
pub mod simulator;
/// The alert chime, synthesized with rodio.
pub mod sound;
/// Building and running the application.
pub mod startup;
/// The database: connection, migrations, queries.
pub mod store;
/// The Telegram front door: polling, update translation, the outbox sender.
pub mod telegram;
/// The bot's texts: templates per language, overridable by the operator.
pub mod texts;
/// The lifecycle timers' background loop.
pub mod timers;
/// A ticket's transcript as a plain-text file.
pub mod transcript;
/// The shapes tickets, messages and agents take in the API and events.
pub mod views;
