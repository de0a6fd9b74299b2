//! Full-text search: `q` finds the tickets whose messages hold every word (the database's own
//! index: FTS5 on SQLite, tsvector on PostgreSQL), newest first a page at a time, within what the
//! caller may see; customer text that looks like the index's query syntax is only words.

use serde_json::json;
use switchboard::{
    domain::{Role, TicketId},
    views::TicketView,
};

use crate::support::{Backend, Session, customer, spawn_app};

/// The ticket numbers `GET /api/tickets?<query>` answers, and its `X-Next-Before`.
pub(crate) async fn search(session: &Session, query: &str) -> (Vec<i64>, Option<i64>) {
    let response = reqwest::Client::new()
        .get(format!("{}/api/tickets?{query}", session.address))
        .header("Cookie", &session.cookie)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 200, "{query}");
    let next = response
        .headers()
        .get("x-next-before")
        .map(|v| v.to_str().unwrap().parse::<i64>().unwrap());
    let page: Vec<TicketView> = response.json().await.expect("tickets");
    (page.iter().map(|t| t.number.0).collect(), next)
}

async fn numbers(session: &Session, query: &str) -> Vec<i64> {
    search(session, query).await.0
}

async fn message_words_find_their_tickets_newest_first_within_scope(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_department("Billing").await;
    let alice = app.agent("alice").await;
    app.add_agent("olga", Role::Agent, &["Billing"]).await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    let (olga, sam) = (app.login("olga").await, app.login("sam").await);
    let first = app
        .customer_opens_ticket(&customer(7_200_001, "Ann"), "My parcel never arrived")
        .await
        .0;
    let second = app
        .customer_opens_ticket(
            &customer(7_200_002, "Bob"),
            "The invoice is wrong and the PARCEL was damaged",
        )
        .await
        .0;
    let third = app
        .customer_opens_ticket(&customer(7_200_003, "Carl"), "hello there")
        .await
        .0;

    assert_eq!(
        numbers(&alice, "q=parcel").await,
        [second, first],
        "a word, any case, newest first"
    );
    assert_eq!(
        numbers(&alice, "q=Parcel%20ARRIVED").await,
        [first],
        "every word must be there"
    );
    assert!(
        numbers(&alice, "q=zeppelin").await.is_empty(),
        "a word no message holds"
    );
    assert!(
        numbers(&alice, "q=%23parcel").await.is_empty(),
        "# names a ticket number only"
    );

    // An agent's reply is text of the ticket as well.
    alice
        .accept(TicketId(third))
        .await
        .expect::<TicketView>(200);
    alice
        .post(
            &format!("/api/tickets/{third}/messages"),
            json!({"text": "Please send the tracking code"}),
        )
        .await
        .expect::<serde_json::Value>(201);
    assert_eq!(numbers(&alice, "q=tracking").await, [third]);
    assert_eq!(
        numbers(&alice, "status=closed&q=tracking").await,
        [] as [i64; 0]
    );

    // Paging: one at a time, newest first, with X-Next-Before.
    let (page, next) = search(&alice, "q=parcel&limit=1").await;
    assert_eq!((page, next), (vec![second], Some(second)));
    let (page, next) = search(&alice, &format!("q=parcel&limit=1&before={second}")).await;
    assert_eq!((page, next), (vec![first], None));

    assert!(
        numbers(&olga, "q=parcel").await.is_empty(),
        "an agent of another department finds nothing"
    );
    assert_eq!(
        numbers(&sam, "q=parcel").await,
        [second, first],
        "a supervisor finds every department's"
    );
}

async fn query_syntax_characters_in_the_search_are_only_words(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let text = r#"He said "quoted" *star* NEAR(a b) -minus col:on AND OR NOT it's ^caret {brace}"#;
    let ticket = app
        .customer_opens_ticket(&customer(7_300_001, "Ann"), text)
        .await
        .0;
    // (the query, percent-encoded; whether it holds a word of the text)
    for (q, has_words) in [
        ("%22", false),
        ("%22quoted", true),
        ("%22quoted%22%20*star*", true),
        ("*", false),
        ("star*", true),
        ("NEAR(quoted%20star)", true),
        ("-minus", true),
        ("col%3Aon", true),
        ("AND%20OR%20NOT", true),
        ("it%27s", true),
        ("%5Ecaret", true),
        ("%7Bbrace%7D", true),
        ("(", false),
        ("%5C", false),
        ("!%26%7C%3A*", false),
    ] {
        let found = numbers(&alice, &format!("q={q}")).await;
        if has_words {
            assert_eq!(found, [ticket], "q={q} finds the ticket by its words");
        } else {
            assert!(found.is_empty(), "q={q} has no word: {found:?}");
        }
    }
}

crate::backend_tests!(
    message_words_find_their_tickets_newest_first_within_scope,
    query_syntax_characters_in_the_search_are_only_words,
);
