//! A long conversation comes a page at a time: `limit` (default 50, at most 200) and the cursor
//! `before`, with `X-Next-Before` naming the older page.

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use switchboard::{
    domain::{AuthorKind, ChatId, Direction, TelegramMessageId, TicketId},
    store::entity::message,
    views::MessageView,
};

use crate::support::{Backend, Session, customer, spawn_app};

const HISTORY: i64 = 40_000;

/// Stores `count` customer messages on the ticket in bulk, as a long conversation would have.
pub(crate) async fn bulk_history(
    db: &sea_orm::DatabaseConnection,
    ticket: TicketId,
    chat: ChatId,
    count: i64,
) {
    let now = Utc::now();
    let mut next = 0;
    while next < count {
        let rows: Vec<message::ActiveModel> = (next..(next + 1_000).min(count))
            .map(|n| message::ActiveModel {
                ticket_id: Set(ticket),
                direction: Set(Direction::In),
                author_kind: Set(AuthorKind::Customer),
                author_agent_id: Set(None),
                text: Set(format!("message {n} of a very long conversation")),
                telegram_chat_id: Set(chat),
                telegram_message_id: Set(Some(TelegramMessageId(1_000_000 + n))),
                delivery: Set(None),
                delivery_error: Set(None),
                delivery_claimed_at: Set(None),
                created_at: Set(now),
                reply_markup: Set(None),
                ..Default::default()
            })
            .collect();
        next += rows.len() as i64;
        message::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await
            .expect("storing a batch of messages");
    }
}

/// GETs a page: its messages, the `X-Next-Before` cursor and the body's size.
async fn page(session: &Session, path: &str) -> (Vec<MessageView>, Option<i64>, usize) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", session.address))
        .header("Cookie", &session.cookie)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 200, "{path}");
    let next = response.headers().get("x-next-before").map(|v| {
        v.to_str()
            .expect("text")
            .parse::<i64>()
            .expect("a message id")
    });
    let body = response.bytes().await.expect("the body");
    let messages = serde_json::from_slice(&body).expect("a list of messages");
    (messages, next, body.len())
}

async fn a_forty_thousand_message_history_comes_in_bounded_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let ann = customer(7801, "Ann");
    let ticket = app.customer_opens_ticket(&ann, "hello").await;
    let alice = app.agent("alice").await;
    let db = app.db().await;
    bulk_history(&db, ticket, ann.chat(), HISTORY).await;
    let total = message::Entity::find()
        .filter(message::Column::TicketId.eq(ticket))
        .count(&db)
        .await
        .expect("counting") as usize;
    assert!(total > HISTORY as usize);

    // By default the newest 50, oldest first, and a cursor to the older ones.
    let path = format!("/api/tickets/{ticket}/messages");
    let (newest, next, size) = page(&alice, &path).await;
    assert_eq!(newest.len(), 50);
    assert!(newest.windows(2).all(|w| w[0].id < w[1].id), "oldest first");
    assert_eq!(
        next,
        Some(newest[0].id.0),
        "the cursor is the page's oldest message"
    );
    assert!(size < 50 * 1_024, "a page is small: {size} bytes");

    // Walking back 200 at a time reaches the first message exactly once each.
    let mut seen = newest.iter().rev().map(|m| m.id.0).collect::<Vec<_>>();
    let mut cursor = next;
    let mut pages = 1;
    while let Some(before) = cursor {
        let (older, next, size) = page(&alice, &format!("{path}?limit=200&before={before}")).await;
        assert!(!older.is_empty() && older.len() <= 200);
        assert!(size < 200 * 1_024, "{size} bytes");
        assert!(older.last().expect("a message").id.0 < before);
        seen.extend(older.iter().rev().map(|m| m.id.0));
        cursor = next;
        pages += 1;
    }
    assert_eq!(seen.len(), total, "every message once, over {pages} pages");
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest to oldest, no message twice"
    );

    // A limit outside 1..=200, or a cursor that is no number, is refused with the error shape.
    for bad in ["limit=201", "limit=0", "limit=-3", "before=abc"] {
        let reply = alice.get(&format!("{path}?{bad}")).await;
        assert_eq!(reply.refusal(), (422, "invalid".to_owned()), "{bad}");
    }
}

crate::backend_tests!(a_forty_thousand_message_history_comes_in_bounded_pages);
