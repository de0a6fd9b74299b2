//! Every list comes a page at a time: `limit` and the cursor `after` (the id of the last row of
//! the page before), with `X-Next-After` naming the next page while more rows remain. Walking the
//! pages yields every row of the unpaged answer exactly once, in its order.

use chrono::{TimeZone, Utc};
use sea_orm::{EntityTrait, sea_query::Expr};
use serde_json::{Value, json};
use switchboard::{domain::Role, store::entity::ticket, views::TicketView};

use crate::support::{Backend, Session, customer, spawn_app};

/// GETs a page: the ids of its rows and the `X-Next-After` cursor.
async fn page(session: &Session, path: &str) -> (Vec<i64>, Option<i64>) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", session.address))
        .header("Cookie", &session.cookie)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 200, "{path}");
    assert!(
        response.headers().get("x-next-before").is_none(),
        "{path}: lists continued with after name no before cursor"
    );
    let next = response
        .headers()
        .get("x-next-after")
        .map(|v| v.to_str().expect("text").parse::<i64>().expect("an id"));
    let rows: Vec<Value> = response.json().await.expect("a JSON list");
    let ids = rows
        .iter()
        .map(|row| row["id"].as_i64().expect("a row with an id"))
        .collect();
    (ids, next)
}

/// Walks `path` (which may carry a query already) `limit` rows at a time from the first page to
/// the last; asserts every page but the last is full and names its last row as the cursor, and
/// the last has no cursor. Returns the rows in the order walked.
async fn walk(session: &Session, path: &str, limit: usize) -> Vec<i64> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut seen = Vec::new();
    let mut after: Option<i64> = None;
    for _ in 0..1_000 {
        let query = match after {
            Some(after) => format!("{path}{sep}limit={limit}&after={after}"),
            None => format!("{path}{sep}limit={limit}"),
        };
        let (ids, next) = page(session, &query).await;
        assert!(ids.len() <= limit, "{query}: {ids:?}");
        seen.extend(&ids);
        match next {
            Some(next) => {
                assert_eq!(
                    ids.len(),
                    limit,
                    "{query}: only a full page names a next one"
                );
                assert_eq!(
                    Some(&next),
                    ids.last(),
                    "{query}: the cursor is the last row"
                );
                after = Some(next);
            }
            None => return seen,
        }
    }
    panic!("{path}: the pages never ended");
}

/// Walks `path` two rows at a time and asserts the pages hold the unpaged answer exactly once
/// each, in order; returns it.
async fn walk_matches_whole(session: &Session, path: &str, at_least: usize) -> Vec<i64> {
    let (whole, next) = page(session, path).await;
    assert_eq!(next, None, "{path}: the default page holds everything here");
    assert!(whole.len() >= at_least, "{path}: {whole:?}");
    let mut unique = whole.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), whole.len(), "{path}: no row twice");
    assert_eq!(walk(session, path, 2).await, whole, "{path} in pages of 2");
    assert_eq!(walk(session, path, 1).await, whole, "{path} in pages of 1");
    whole
}

/// Every bad `limit` or cursor on `path` is 422 with the error shape.
async fn bad_pages_are_refused(session: &Session, path: &str, max: u64, unknown: bool) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let over = format!("limit={}", max + 1);
    let mut bad = vec![
        "limit=0",
        "limit=-1",
        "limit=ten",
        over.as_str(),
        "after=abc",
        "after=0",
        "after=-5",
        "after=1.5",
    ];
    if unknown {
        bad.push("after=987654321");
    }
    for bad in bad {
        let reply = session.get(&format!("{path}{sep}{bad}")).await;
        assert_eq!(reply.refusal(), (422, "invalid".to_owned()), "{path} {bad}");
        assert!(
            reply.error().message.contains("limit") || reply.error().message.contains("after"),
            "{path} {bad}: the message names the parameter: {:?}",
            reply.error().message
        );
    }
    let (_, _) = page(session, &format!("{path}{sep}limit={max}")).await;
}

async fn the_queues_page_on_their_own_order_even_when_times_tie(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let mut tickets = Vec::new();
    for n in 0..5 {
        let ann = customer(8_100 + n, "Ann");
        tickets.push(app.customer_opens_ticket(&ann, "hello").await.0);
    }
    // Pending oldest first; all open tickets newest activity first.
    assert_eq!(
        walk_matches_whole(&alice, "/api/tickets?status=pending", 5).await,
        tickets
    );
    let newest_first: Vec<i64> = tickets.iter().rev().copied().collect();
    assert_eq!(
        walk_matches_whole(&alice, "/api/tickets", 5).await,
        newest_first
    );
    for number in [tickets[0], tickets[2], tickets[4]] {
        alice
            .accept(switchboard::domain::TicketId(number))
            .await
            .expect::<TicketView>(200);
    }

    // Every ticket created and touched at the same instant: the id breaks the ties, and the
    // cursor continues after the tie it stopped in.
    let instant = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    ticket::Entity::update_many()
        .col_expr(ticket::Column::CreatedAt, Expr::value(instant))
        .col_expr(ticket::Column::UpdatedAt, Expr::value(instant))
        .exec(&app.db().await)
        .await
        .expect("levelling the times");
    assert_eq!(
        walk_matches_whole(&alice, "/api/tickets?status=pending", 2).await,
        [tickets[1], tickets[3]]
    );
    assert_eq!(
        walk_matches_whole(&alice, "/api/tickets?status=accepted", 3).await,
        [tickets[4], tickets[2], tickets[0]]
    );
    assert_eq!(
        walk_matches_whole(&alice, "/api/tickets?status=open", 5).await,
        newest_first
    );
    assert_eq!(
        walk_matches_whole(&alice, "/api/tickets", 5).await,
        newest_first
    );

    bad_pages_are_refused(&alice, "/api/tickets?status=pending", 200, true).await;

    // The history walks back with before, and names the older page in X-Next-Before.
    for number in [tickets[0], tickets[2], tickets[4]] {
        alice
            .post(
                &format!("/api/tickets/{number}/close"),
                json!({ "reason": "resolved" }),
            )
            .await
            .expect::<TicketView>(200);
    }
    let mut seen = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let path = match before {
            Some(b) => format!("/api/tickets?status=closed&limit=2&before={b}"),
            None => "/api/tickets?status=closed&limit=2".to_owned(),
        };
        let response = reqwest::Client::new()
            .get(format!("{}{path}", alice.address))
            .header("Cookie", &alice.cookie)
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), 200);
        let next = response
            .headers()
            .get("x-next-before")
            .map(|v| v.to_str().unwrap().parse::<i64>().unwrap());
        let page: Vec<TicketView> = response.json().await.expect("tickets");
        seen.extend(page.iter().map(|t| t.number.0));
        match next {
            Some(next) => {
                assert_eq!(page.len(), 2);
                assert_eq!(Some(next), page.last().map(|t| t.number.0));
                before = Some(next);
            }
            None => break,
        }
    }
    assert_eq!(seen, [tickets[4], tickets[2], tickets[0]], "newest first");
    // The history pages with before; after there is refused rather than ignored.
    let reply = alice
        .get(&format!("/api/tickets?status=closed&after={}", tickets[0]))
        .await;
    assert_eq!(reply.refusal(), (422, "invalid".to_owned()));
}

async fn timeline_notes_agents_and_departments_page_in_order(backend: Backend) {
    let app = spawn_app(backend).await;
    for name in ["Sales", "Billing", "Returns", "Press"] {
        app.add_department(name).await;
    }
    for login in ["zoe", "bob", "mia", "carl"] {
        app.add_agent(login, Role::Agent, &["General"]).await;
    }
    let alice = app.agent("alice").await;
    let number = app
        .customer_opens_ticket(&customer(8_200, "Ann"), "hi")
        .await;
    for _ in 0..3 {
        alice.accept(number).await.expect::<TicketView>(200);
        alice
            .post(&format!("/api/tickets/{number}/return"), json!({}))
            .await
            .expect::<TicketView>(200);
    }
    let ticket: TicketView = alice.get_json(&format!("/api/tickets/{number}")).await;
    for n in 0..5 {
        alice
            .post(
                &format!("/api/clients/{}/notes", ticket.client.id),
                json!({ "text": format!("note {n}") }),
            )
            .await
            .expect::<Value>(201);
    }

    let timeline = format!("/api/tickets/{number}/timeline");
    let changes = walk_matches_whole(&alice, &timeline, 6).await;
    assert!(changes.windows(2).all(|w| w[0] < w[1]), "oldest first");
    bad_pages_are_refused(&alice, &timeline, 500, false).await;

    let notes_path = format!("/api/clients/{}/notes", ticket.client.id);
    let notes = walk_matches_whole(&alice, &notes_path, 5).await;
    assert!(notes.windows(2).all(|w| w[0] < w[1]), "oldest first");
    bad_pages_are_refused(&alice, &notes_path, 500, false).await;

    let agents = walk_matches_whole(&alice, "/api/agents", 5).await;
    let board: Vec<Value> = alice.get_json("/api/agents").await;
    let names: Vec<&str> = board.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "by name: {names:?}");
    assert_eq!(agents.len(), board.len());
    bad_pages_are_refused(&alice, "/api/agents", 500, true).await;

    let departments = walk_matches_whole(&alice, "/api/departments", 5).await;
    let list: Vec<Value> = alice.get_json("/api/departments").await;
    let positions: Vec<i64> = list
        .iter()
        .map(|d| d["position"].as_i64().unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] <= w[1]), "by position");
    assert_eq!(departments.len(), list.len());
    bad_pages_are_refused(&alice, "/api/departments", 500, true).await;
}

crate::backend_tests!(
    the_queues_page_on_their_own_order_even_when_times_tie,
    timeline_notes_agents_and_departments_page_in_order,
);
