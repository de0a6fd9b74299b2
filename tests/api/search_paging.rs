//! Paging a message-text search, which walks the matching messages newest first and stops as soon
//! as the page is complete (src/store/text_search.rs): every page is checked against a brute-force
//! answer computed from what the test wrote. A ticket ranks by its number, not by its newest
//! message; paging returns each matching ticket exactly once, in order, without gaps, across many
//! batches of the walk; status and scope filters make the walk skip tickets that do not qualify;
//! a query that names a client and is also a word returns both kinds of tickets; a walk that reads
//! past its cap falls back to the exact query (a seeded database with 30,000 matching messages).

use std::collections::BTreeSet;

use serde_json::json;
use switchboard::{
    domain::{Role, TicketId},
    simulator::Customer,
    views::TicketView,
};

// One page of `GET /api/tickets?<query>`: the ticket numbers and `X-Next-Before`.
use crate::search::search as page;
use crate::support::{Backend, Session, TestApp, WAIT, customer, spawn_app_with, ticket_number_in};

/// A test app without ratings (a customer's next message after a close reopens the ticket).
async fn app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |settings| settings.ratings = false).await
}

/// Customers write their first messages all at once (the bot ingests them in batches); returns
/// each one's ticket number, in the order given.
async fn open_tickets(app: &TestApp, first: &[(Customer, String)]) -> Vec<i64> {
    for (who, text) in first {
        app.telegram.customer_says(who, text);
    }
    let mut numbers = Vec::new();
    for (who, _) in first {
        let ack = app
            .telegram
            .wait_for_message_to(who.chat(), "Your request is ticket #", WAIT)
            .await
            .expect("an acknowledgement");
        numbers.push(ticket_number_in(&ack).0);
    }
    numbers
}

/// The number of the second ticket `who` was told about.
async fn second_ticket_of(app: &TestApp, who: &Customer) -> i64 {
    let until = tokio::time::Instant::now() + WAIT;
    loop {
        let acks: Vec<String> = app
            .telegram
            .sent_to(who.chat())
            .into_iter()
            .filter(|t| t.contains("Your request is ticket #"))
            .collect();
        if let Some(ack) = acks.get(1) {
            return ticket_number_in(ack).0;
        }
        assert!(tokio::time::Instant::now() < until, "no second ticket");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Customers write these messages (all at once); returns when all are stored.
async fn customers_say(app: &TestApp, messages: &[(&Customer, &str)]) {
    let mut last = None;
    for (who, text) in messages {
        last = Some(app.telegram.customer_says(who, text));
    }
    if let Some(last) = last {
        assert!(app.telegram.wait_confirmed(last, WAIT).await, "stored");
    }
}

/// Pages through `query` `limit` at a time and checks every page against `expected` (the
/// brute-force answer, any order): each page the next `limit` of it, highest number first, and
/// `X-Next-Before` the last of the page while more remain.
async fn check_pages(session: &Session, query: &str, limit: usize, expected: &BTreeSet<i64>) {
    let expected: Vec<i64> = expected.iter().rev().copied().collect();
    let mut before: Option<i64> = None;
    for (n, want) in expected.chunks(limit).enumerate() {
        let q = match before {
            Some(b) => format!("{query}&limit={limit}&before={b}"),
            None => format!("{query}&limit={limit}"),
        };
        let (got, next) = page(session, &q).await;
        assert_eq!(got, want, "page {n} of {q}");
        let more = (n + 1) * limit < expected.len();
        assert_eq!(
            next,
            more.then(|| got[got.len() - 1]),
            "next of page {n} of {q}"
        );
        before = next;
    }
    if expected.is_empty() {
        assert_eq!(
            page(session, &format!("{query}&limit={limit}")).await,
            (vec![], None)
        );
    }
}

async fn old_tickets_with_new_matching_messages_rank_by_their_numbers(backend: Backend) {
    let app = app(backend).await;
    let alice = app.agent("alice").await;
    let who: Vec<Customer> = (0..12)
        .map(|i| customer(7_400_000 + i, &format!("Rank{i}")))
        .collect();
    // Even tickets match from their first message; odd ones say something else.
    let first: Vec<(Customer, String)> = who
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let text = if i % 2 == 0 { "my parcel" } else { "hello" };
            (c.clone(), format!("{text} {i}"))
        })
        .collect();
    let numbers = open_tickets(&app, &first).await;
    // The six oldest get the newest matching messages: 0 and 1 reopened after a close, 2..5
    // joined while open. The walk reads all six before any older ticket's first message.
    for i in [0, 1] {
        let number = TicketId(numbers[i]);
        alice.accept(number).await.expect::<TicketView>(200);
        alice
            .post(
                &format!("/api/tickets/{number}/close"),
                json!({"reason": "resolved"}),
            )
            .await
            .expect::<TicketView>(200);
    }
    let again: Vec<(&Customer, &str)> = who[..6].iter().map(|c| (c, "parcel again")).collect();
    customers_say(&app, &again).await;

    let mut expected: BTreeSet<i64> = numbers.iter().step_by(2).copied().collect();
    expected.extend(&numbers[..6]);
    let (all, _) = page(&alice, "q=parcel").await;
    assert_eq!(
        all,
        expected.iter().rev().copied().collect::<Vec<_>>(),
        "the reopened tickets kept their numbers and rank by them"
    );
    for limit in [1, 2, 3, 5] {
        check_pages(&alice, "q=parcel", limit, &expected).await;
    }
}

async fn paging_through_many_matching_tickets_returns_each_once_in_order(backend: Backend) {
    let app = app(backend).await;
    let alice = app.agent("alice").await;
    let who: Vec<Customer> = (0..40)
        .map(|i| customer(7_500_000 + i, &format!("Page{i}")))
        .collect();
    // One in three tickets matches from its first message.
    let first: Vec<(Customer, String)> = who
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let text = if i % 3 == 0 { "invoice wrong" } else { "hello" };
            (c.clone(), format!("{text} {i}"))
        })
        .collect();
    let numbers = open_tickets(&app, &first).await;
    let mut expected: BTreeSet<i64> = numbers.iter().step_by(3).copied().collect();
    // Then follow-ups in a scrambled order, matching or not, old and new tickets mixed.
    let mut later: Vec<(&Customer, &str)> = Vec::new();
    for n in 0..60 {
        let i = (n * 17 + 5) % 40;
        let text = if n % 2 == 0 {
            "the invoice again"
        } else {
            "still waiting"
        };
        if n % 2 == 0 {
            expected.insert(numbers[i]);
        }
        later.push((&who[i], text));
    }
    customers_say(&app, &later).await;
    assert!(expected.len() > 20, "more than several pages: {expected:?}");
    for limit in [1, 3, 4, 7, 50] {
        check_pages(&alice, "q=invoice", limit, &expected).await;
    }
    check_pages(
        &alice,
        "q=invoice%20wrong",
        4,
        &numbers.iter().step_by(3).copied().collect(),
    )
    .await;
}

async fn filters_make_the_walk_skip_tickets_that_do_not_qualify(backend: Backend) {
    let app = app(backend).await;
    app.add_department("Billing").await;
    let refunds = app.add_department("Refunds").await;
    let alice = app.agent("alice").await;
    app.add_agent("olga", Role::Agent, &["Refunds"]).await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    let (olga, sam) = (app.login("olga").await, app.login("sam").await);
    let who: Vec<Customer> = (0..30)
        .map(|i| customer(7_600_000 + i, &format!("Filter{i}")))
        .collect();
    let first: Vec<(Customer, String)> = who
        .iter()
        .map(|c| (c.clone(), "a refund please".to_owned()))
        .collect();
    let numbers = open_tickets(&app, &first).await;
    // Three old tickets are closed, three others move to Refunds (pending there).
    let closed = [numbers[1], numbers[4], numbers[6]];
    for number in closed {
        alice
            .accept(TicketId(number))
            .await
            .expect::<TicketView>(200);
        alice
            .post(
                &format!("/api/tickets/{number}/close"),
                json!({"reason": "resolved"}),
            )
            .await
            .expect::<TicketView>(200);
    }
    let moved = [numbers[0], numbers[3], numbers[8]];
    for number in moved {
        sam.post(
            &format!("/api/tickets/{number}/reassign"),
            json!({"department_id": refunds}),
        )
        .await
        .expect::<TicketView>(200);
    }
    // Every other ticket (open, in General) writes again and again: the newest matching
    // messages all belong to tickets that qualify for neither filter.
    let mut later: Vec<(&Customer, &str)> = Vec::new();
    for round in 0..3 {
        for (i, c) in who.iter().enumerate().skip(9) {
            if (i + round) % 2 == 0 {
                later.push((c, "refund refund"));
            }
        }
    }
    customers_say(&app, &later).await;

    let closed: BTreeSet<i64> = closed.into_iter().collect();
    let moved: BTreeSet<i64> = moved.into_iter().collect();
    let everyone: BTreeSet<i64> = numbers.iter().copied().collect();
    for limit in [1, 2, 4] {
        check_pages(&alice, "status=closed&q=refund", limit, &closed).await;
        check_pages(&olga, "q=refund", limit, &moved).await;
        check_pages(&olga, "status=pending&q=refund", limit, &moved).await;
        check_pages(&sam, "q=refund", limit + 7, &everyone).await;
    }
    let open: BTreeSet<i64> = everyone.difference(&closed).copied().collect();
    check_pages(&sam, "status=open&q=refund", 6, &open).await;
    let general: BTreeSet<i64> = open.difference(&moved).copied().collect();
    check_pages(&alice, "status=open&q=refund", 5, &general).await;
}

async fn a_query_naming_a_client_and_holding_a_word_finds_both(backend: Backend) {
    let app = app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(7_700_000, "Ann");
    let others: Vec<Customer> = (1..13)
        .map(|i| customer(7_700_000 + i, &format!("Other{i}")))
        .collect();
    // Ann's first ticket is closed; later tickets of others mention "ann"; Ann opens another.
    let mut ann_tickets = open_tickets(&app, &[(ann.clone(), "hello".to_owned())]).await;
    alice
        .accept(TicketId(ann_tickets[0]))
        .await
        .expect::<TicketView>(200);
    alice
        .post(
            &format!("/api/tickets/{}/close", ann_tickets[0]),
            json!({"reason": "resolved"}),
        )
        .await
        .expect::<TicketView>(200);
    let first: Vec<(Customer, String)> = others
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let text = if i % 2 == 0 { "ask ann" } else { "hi" };
            (c.clone(), text.to_owned())
        })
        .collect();
    let numbers = open_tickets(&app, &first).await;
    app.telegram.customer_says(&ann, "/new");
    ann_tickets.push(second_ticket_of(&app, &ann).await);
    let mut expected: BTreeSet<i64> = numbers.iter().step_by(2).copied().collect();
    expected.extend(&ann_tickets);
    for limit in [1, 2, 3, 10] {
        check_pages(&alice, "q=ann", limit, &expected).await;
    }
    // With `@` it is a username only.
    let ann_only: BTreeSet<i64> = ann_tickets.iter().copied().collect();
    check_pages(&alice, "q=%40ann", 1, &ann_only).await;
}

async fn a_walk_past_its_cap_falls_back_to_the_exact_query(backend: Backend) {
    let app = app(backend).await;
    // Every seeded ticket's one message starts "hello": 30,000 matches, more than the walk reads
    // (text_search::MAX_READ) before it gives up.
    let seed = ["seed", "--tickets", "30000", "--messages-per-ticket", "1"];
    let (ok, out) = crate::cli::switchboard(&app.database_url, &seed, "").await;
    assert!(ok, "{out}");
    let supervisor = Session::login(&app.address, &app.origin, "supervisor", "seed").await;
    // The newest pages stop early (on PostgreSQL with the lookup of late matches by ticket).
    check_pages_from(
        &supervisor,
        "q=hello",
        5,
        &[30_000, 29_999, 29_998, 29_997, 29_996],
        Some(29_996),
    )
    .await;
    let (page2, next) = page(&supervisor, "q=hello&limit=5&before=29996").await;
    assert_eq!(
        (page2, next),
        (vec![29_995, 29_994, 29_993, 29_992, 29_991], Some(29_991))
    );
    // A page 3,000 tickets deep (PostgreSQL walks its margin of ids there).
    let (deep, next) = page(&supervisor, "q=hello&limit=5&before=27000").await;
    assert_eq!(
        (deep, next),
        (vec![26_999, 26_998, 26_997, 26_996, 26_995], Some(26_995))
    );
    // Client 7 has tickets 7 and 15,007 (the seed gives ticket i to client (i - 1) % 15,000 + 1):
    // the walk finds one of the page's 51 only, reads past its cap, and the exact query answers.
    let (found, next) = page(&supervisor, "q=hello&client_id=7").await;
    assert_eq!((found, next), (vec![15_007, 7], None));
    let (found, next) = page(&supervisor, "q=hello&client_id=7&limit=1").await;
    assert_eq!((found, next), (vec![15_007], Some(15_007)));
}

/// PostgreSQL takes sequence values at insert, not at commit, so a newer ticket's first message can
/// have a lower id than an older ticket's. Made here by hand (a message with id -20,000 in the
/// newest ticket, below any margin): the page still starts with that ticket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_ticket_whose_match_has_a_lower_id_is_still_found_on_postgres() {
    use sea_orm::ConnectionTrait;
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = app(backend).await;
    let alice = app.agent("alice").await;
    let who: Vec<Customer> = (0..8)
        .map(|i| customer(7_800_000 + i, &format!("Late{i}")))
        .collect();
    let first: Vec<(Customer, String)> = who
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let text = if i < 7 { "parcel lost" } else { "hello" };
            (c.clone(), text.to_owned())
        })
        .collect();
    let numbers = open_tickets(&app, &first).await;
    let newest = numbers[7];
    let db = app.db().await;
    db.execute_unprepared(&format!(
        "INSERT INTO messages (id, ticket_id, direction, author_kind, author_agent_id, text, \
         telegram_chat_id, telegram_message_id, delivery, created_at) \
         SELECT -20000, ticket_id, direction, author_kind, author_agent_id, 'parcel late', \
         telegram_chat_id, telegram_message_id + 100000, delivery, created_at \
         FROM messages WHERE ticket_id = {newest} ORDER BY id LIMIT 1"
    ))
    .await
    .expect("a late message");
    let expected: BTreeSet<i64> = numbers.iter().copied().collect();
    for limit in [1, 2, 3] {
        check_pages(&alice, "q=parcel", limit, &expected).await;
    }
}

/// The first page of `query` at `limit`: exactly `want` and `next`.
async fn check_pages_from(
    session: &Session,
    query: &str,
    limit: usize,
    want: &[i64],
    next: Option<i64>,
) {
    let got = page(session, &format!("{query}&limit={limit}")).await;
    assert_eq!(got, (want.to_vec(), next), "{query}");
}

crate::backend_tests!(
    old_tickets_with_new_matching_messages_rank_by_their_numbers,
    paging_through_many_matching_tickets_returns_each_once_in_order,
    filters_make_the_walk_skip_tickets_that_do_not_qualify,
    a_query_naming_a_client_and_holding_a_word_finds_both,
    a_walk_past_its_cap_falls_back_to_the_exact_query,
);
