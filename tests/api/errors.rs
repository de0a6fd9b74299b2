//! A broken invariant is a server fault: 500 with an opaque body, never a 404 that hides a bug.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use switchboard::{domain::TicketStatus, store::entity::ticket};

use crate::support::{Backend, customer, spawn_app};

async fn an_accepted_ticket_without_an_owner_answers_500_not_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let number = app
        .customer_opens_ticket(&customer(9101, "Ann"), "hello")
        .await;
    // Break the row behind the application's back, as a bug or a bad manual edit would.
    ticket::Entity::update_many()
        .col_expr(ticket::Column::Status, Expr::value(TicketStatus::Accepted))
        .filter(ticket::Column::Id.eq(number))
        .exec(&app.db().await)
        .await
        .expect("breaking the ticket");

    for path in [
        format!("/api/tickets/{number}"),
        "/api/tickets?status=accepted".to_owned(),
    ] {
        let reply = alice.get(&path).await;
        // The wire shape of an error, as docs/api.md gives it.
        assert_eq!(reply.status, 500, "{path}: {reply:?}");
        assert_eq!(reply.body["error"], "internal", "{path}");
        assert!(
            !reply.body["message"]
                .as_str()
                .unwrap_or_default()
                .contains("owner"),
            "the body says nothing of the cause: {reply:?}"
        );
    }
    let other = alice
        .get(&format!("/api/tickets/{}", number.0 + 1000))
        .await;
    assert_eq!(other.status, 404, "an unknown ticket is still not found");
}

crate::backend_tests!(an_accepted_ticket_without_an_owner_answers_500_not_404);
