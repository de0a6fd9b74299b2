//! Ratings through the fake Telegram: after a close the customer gets star buttons; a press is
//! answered, the question edited to show the choice, the rating stored, shown in the API and live;
//! the next plain message is its comment. Old, forged and foreign keyboards change nothing.

use serde_json::{Value, json};
use switchboard::{
    domain::{ChangeKind, Role, TicketId, TicketStatus},
    hub::{Event, ServerFrame},
    views::{RatingSummaryView, RatingView, TicketView},
};

use crate::support::{Backend, Session, WAIT, Ws, count_rows, customer, spawn_app, spawn_app_with};

async fn close(session: &Session, ticket: TicketId) {
    let closed: TicketView = session
        .post(
            &format!("/api/tickets/{ticket}/close"),
            json!({"reason": "resolved"}),
        )
        .await
        .expect(200);
    assert_eq!(closed.status, TicketStatus::Closed);
}

async fn rating(session: &Session, ticket: TicketId) -> Option<RatingView> {
    session
        .get_json(&format!("/api/tickets/{ticket}/rating"))
        .await
}

/// The next `rating.updated` of `ticket` that `matches`.
async fn rating_event(
    ws: &mut Ws,
    ticket: TicketId,
    matches: impl Fn(&RatingView) -> bool,
) -> RatingView {
    ws.expect("rating.updated event", |frame| match frame {
        ServerFrame::Event(event) => match event.event {
            Event::RatingUpdated { rating } if rating.ticket_id == ticket && matches(&rating) => {
                Some(rating)
            }
            _ => None,
        },
        _ => None,
    })
    .await
}

fn text_of(message: &Value) -> &str {
    message["text"].as_str().unwrap_or_default()
}

/// The star button's callback data on a question as the bot sent it.
fn star_data(question: &Value, stars: usize) -> String {
    question["reply_markup"]["inline_keyboard"][0][stars - 1]["callback_data"]
        .as_str()
        .expect("a star button")
        .to_owned()
}

async fn a_customer_rates_a_closed_ticket_with_stars_and_then_a_comment(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let sue_id = app.add_agent("sue", Role::Supervisor, &[]).await;
    let sue = app.login("sue").await;
    let ann = customer(7001, "Ann");
    let number = app.customer_opens_ticket(&ann, "my order is late").await;
    alice.accept(number).await.expect::<TicketView>(200);
    let mut ws = alice.ws().await;

    close(&alice, number).await;

    let question = app
        .telegram
        .wait_for_keyboard_message(ann.chat(), WAIT)
        .await
        .expect("the customer is asked to rate the ticket");
    assert!(
        text_of(&question).contains(&format!("request #{number}")),
        "{question}"
    );
    let asked = rating(&alice, number).await.expect("the rating was asked");
    assert_eq!(asked.stars, None);
    assert_eq!(asked.agent.as_ref().map(|a| a.name.as_str()), Some("Alice"));

    let query = app
        .telegram
        .customer_presses(&ann, "4 ★")
        .expect("a 4-star button");
    let answer = app
        .telegram
        .wait_for_callback_answer(&query, WAIT)
        .await
        .expect("the press is answered");
    assert!(
        answer["text"]
            .as_str()
            .unwrap_or_default()
            .contains("★★★★☆"),
        "{answer}"
    );
    let message_id = question["message_id"].as_i64().expect("a message id");
    let edited = app
        .telegram
        .wait_for_bot_message(message_id, WAIT, |m| {
            text_of(m).contains("you rated it ★★★★☆") && m.get("reply_markup").is_none()
        })
        .await;
    assert!(
        edited.is_some(),
        "the question shows the choice, buttons gone"
    );
    let live = rating_event(&mut ws, number, |r| r.stars == Some(4)).await;
    assert!(live.rated_at.is_some() && live.comment_until.is_some());
    assert_eq!(rating(&sue, number).await.and_then(|r| r.stars), Some(4));
    app.telegram
        .wait_for_message_to(ann.chat(), "tell us more", WAIT)
        .await
        .expect("the customer is invited to comment");

    app.telegram
        .customer_says(&ann, "  Quick and kind, thanks ");

    let commented = rating_event(&mut ws, number, |r| r.comment.is_some()).await;
    assert_eq!(commented.comment.as_deref(), Some("Quick and kind, thanks"));
    assert_eq!(commented.comment_until, None);
    app.telegram
        .wait_for_message_to(ann.chat(), "Thank you for your comment", WAIT)
        .await
        .expect("the comment is thanked");
    let ticket: TicketView = alice.get_json(&format!("/api/tickets/{number}")).await;
    assert_eq!(
        ticket.status,
        TicketStatus::Closed,
        "a comment reopens nothing"
    );

    // The figures: the agent sees their own; a supervisor any agent's; an agent not another's.
    let own: RatingSummaryView = alice.get_json("/api/ratings/summary").await;
    assert_eq!((own.count, own.average), (1, Some(4.0)));
    assert_eq!(own.by_stars, [0, 0, 0, 1, 0]);
    let by_sue: RatingSummaryView = sue
        .get_json(&format!("/api/ratings/summary?agent={}", alice.id()))
        .await;
    assert_eq!(by_sue.count, 1);
    let of_sue: RatingSummaryView = sue
        .get_json(&format!("/api/ratings/summary?agent={sue_id}"))
        .await;
    assert_eq!(of_sue.count, 0);
    let future: RatingSummaryView = sue.get_json("/api/ratings/summary?from=2999-01-01").await;
    assert_eq!(future.count, 0);
    let refused = alice
        .get(&format!("/api/ratings/summary?agent={sue_id}"))
        .await;
    assert_eq!(refused.status, 403);
    let bad = sue.get("/api/ratings/summary?from=yesterday").await;
    assert_eq!(bad.status, 422);

    // Only one message is the comment: the next one reopens the ticket as before.
    app.telegram.customer_says(&ann, "one more thing");
    let (reopened, _) = ws.expect_change(ChangeKind::Reopened).await;
    assert_eq!(reopened.id, number);
    let kept = rating(&alice, number).await.expect("the rating stays");
    assert_eq!(kept.comment.as_deref(), Some("Quick and kind, thanks"));
}

async fn old_forged_and_foreign_keyboards_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ann = customer(7101, "Ann");
    let bob = customer(7102, "Bob");
    let anns = app.customer_opens_ticket(&ann, "help with my order").await;
    let bobs = app.customer_opens_ticket(&bob, "help with my bill").await;
    alice.accept(anns).await.expect::<TicketView>(200);
    alice.accept(bobs).await.expect::<TicketView>(200);
    close(&alice, anns).await;
    close(&alice, bobs).await;
    let anns_question = app
        .telegram
        .wait_for_keyboard_message(ann.chat(), WAIT)
        .await
        .expect("Ann is asked");
    app.telegram
        .wait_for_keyboard_message(bob.chat(), WAIT)
        .await
        .expect("Bob is asked");

    // Bob presses a button of Ann's question.
    let foreign =
        app.telegram
            .customer_presses_data(&bob, &anns_question, &star_data(&anns_question, 1));
    let answer = app
        .telegram
        .wait_for_callback_answer(&foreign, WAIT)
        .await
        .expect("a foreign press is answered");
    assert!(
        answer["text"]
            .as_str()
            .unwrap_or_default()
            .contains("no longer available"),
        "{answer}"
    );
    // Ann presses a button with a token that is not her ticket's.
    let forged = app.telegram.customer_presses_data(
        &ann,
        &anns_question,
        &format!("rate:{anns}:00000000:1"),
    );
    app.telegram
        .wait_for_callback_answer(&forged, WAIT)
        .await
        .expect("a forged press is answered");
    assert_eq!(rating(&alice, anns).await.and_then(|r| r.stars), None);

    // Her real press counts; pressing the old keyboard again changes nothing.
    let real =
        app.telegram
            .customer_presses_data(&ann, &anns_question, &star_data(&anns_question, 5));
    app.telegram
        .wait_for_callback_answer(&real, WAIT)
        .await
        .expect("answered");
    let again =
        app.telegram
            .customer_presses_data(&ann, &anns_question, &star_data(&anns_question, 1));
    let answer = app
        .telegram
        .wait_for_callback_answer(&again, WAIT)
        .await
        .expect("a second press is answered");
    assert!(
        answer["text"]
            .as_str()
            .unwrap_or_default()
            .contains("rated this request already"),
        "{answer}"
    );
    assert_eq!(rating(&alice, anns).await.and_then(|r| r.stars), Some(5));
    assert_eq!(rating(&alice, bobs).await.and_then(|r| r.stars), None);

    // A command is never a comment: /new opens a ticket and ends the comment window.
    let mut ws = alice.ws().await;
    app.telegram.customer_says(&ann, "/new");
    let (_, created) = ws.expect_ticket_created().await;
    assert_ne!(created.id, anns);
    let kept = rating(&alice, anns).await.expect("rated");
    assert_eq!((kept.comment, kept.comment_until), (None, None));
}

async fn with_ratings_off_nobody_is_asked(backend: Backend) {
    let app = spawn_app_with(backend, |settings| settings.ratings = false).await;
    let alice = app.agent("alice").await;
    let ann = customer(7201, "Ann");
    let number = app.customer_opens_ticket(&ann, "hello").await;
    alice.accept(number).await.expect::<TicketView>(200);
    close(&alice, number).await;
    assert_eq!(rating(&alice, number).await, None);
    assert_eq!(count_rows(&app.db().await, "ratings").await, 0);
}

crate::backend_tests!(
    a_customer_rates_a_closed_ticket_with_stars_and_then_a_comment,
    old_forged_and_foreign_keyboards_change_nothing,
    with_ratings_off_nobody_is_asked
);
