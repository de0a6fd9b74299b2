//! `switchboard seed` fills an empty database that the server then serves as it is: the queues
//! hold the seeded open tickets, the full-text index (rebuilt after the load) finds a message, and
//! a second seed into the same database is refused.

use switchboard::{domain::TicketId, views::TicketView};

use crate::{
    cli::switchboard,
    support::{Backend, Session, spawn_app},
};

async fn a_seeded_database_is_served_and_a_second_seed_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = &app.database_url;
    let seed = ["seed", "--tickets", "400", "--messages-per-ticket", "3"];
    let (ok, out) = switchboard(db, &seed, "").await;
    assert!(ok, "{out}");
    assert!(
        out.contains("400 tickets (20 pending, 20 accepted"),
        "one in twenty tickets is open, split between pending and accepted:\n{out}"
    );

    let supervisor = Session::login(&app.address, &app.origin, "supervisor", "seed").await;
    let pending: Vec<TicketView> = supervisor.get_json("/api/tickets?status=pending").await;
    assert_eq!(pending.len(), 20, "the seeded Pending queue");
    let accepted: Vec<TicketView> = supervisor.get_json("/api/tickets?status=accepted").await;
    assert_eq!(accepted.len(), 20, "the seeded accepted tickets");
    // Ticket 1's first message ends "order 7919" (the order number is derived from the ticket's
    // number, and no other ticket's is 7919): found through the rebuilt full-text index.
    let found: Vec<TicketView> = supervisor.get_json("/api/tickets?q=order%207919").await;
    let numbers: Vec<TicketId> = found.iter().map(|t| t.number).collect();
    assert_eq!(numbers, [TicketId(1)], "the message text search");

    let (ok, out) = switchboard(db, &["seed", "--tickets", "10"], "").await;
    assert!(!ok, "a second seed must be refused:\n{out}");
    assert!(out.contains("already has clients or tickets"), "{out}");
}

crate::backend_tests!(a_seeded_database_is_served_and_a_second_seed_is_refused);
