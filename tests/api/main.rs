//! Switchboard's integration tests: a real server on a real database (SQLite, and PostgreSQL when
//! `TEST_POSTGRES_URL` is set), the real teloxide bot against the fake Bot API, real WebSockets and
//! a real headless Chromium.

#[path = "../support/mod.rs"]
mod support;

mod accept;
mod admin;
mod admin_content;
mod admin_instances;
mod administration;
mod auth;
mod authorization;
mod board;
mod canned;
mod cli;
mod connections;
mod console;
mod customer;
mod dead_letters;
mod demo;
mod departments;
mod errors;
mod fuzz;
mod history;
mod hours;
mod ingest;
mod instances;
mod lifecycle;
mod lists;
mod live;
mod login_limits;
mod media;
mod metrics;
mod notes;
mod outbound;
mod paging;
mod presence;
mod ratings;
mod reassign;
mod rejections;
mod reopen;
mod reply;
mod reports;
mod resume;
mod retention;
mod routing;
mod search;
mod search_paging;
mod seed;
mod sending;
mod settings;
mod socket_limits;
mod timers;
mod transcripts;
mod unread;
mod updates;
mod webhook;
