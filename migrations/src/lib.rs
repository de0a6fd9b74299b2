//! Schema migrations for Switchboard. Append-only: never edit a migration that has shipped.

pub use sea_orm_migration::prelude::*;

mod m0001_initial;
mod m0002_ticket_changes;
mod m0003_ticket_history;
mod m0004_departments;
mod m0005_history_search;
mod m0006_presence;
mod m0007_login_failures;
mod m0008_event_log;
mod m0009_agent_settings;
mod m0010_hands;
mod m0011_dead_letters;
mod m0012_inbound_media;
mod m0013_outbound;
mod m0014_customer_side;
mod m0015_admin;
mod m0016_priorities;
mod m0017_timers;
mod m0018_ratings;
mod m0019_reports;
mod m0020_rating_reports;
mod m0021_search;

/// Every migration, in the order it runs.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_initial::Migration),
            Box::new(m0002_ticket_changes::Migration),
            Box::new(m0003_ticket_history::Migration),
            Box::new(m0004_departments::Migration),
            Box::new(m0005_history_search::Migration),
            Box::new(m0006_presence::Migration),
            Box::new(m0007_login_failures::Migration),
            Box::new(m0008_event_log::Migration),
            Box::new(m0009_agent_settings::Migration),
            Box::new(m0010_hands::Migration),
            Box::new(m0011_dead_letters::Migration),
            Box::new(m0012_inbound_media::Migration),
            Box::new(m0013_outbound::Migration),
            Box::new(m0014_customer_side::Migration),
            Box::new(m0015_admin::Migration),
            Box::new(m0016_priorities::Migration),
            Box::new(m0017_timers::Migration),
            Box::new(m0018_ratings::Migration),
            Box::new(m0019_reports::Migration),
            Box::new(m0020_rating_reports::Migration),
            Box::new(m0021_search::Migration),
        ]
    }
}
