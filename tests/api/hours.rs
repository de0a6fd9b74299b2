//! Business hours per department: outside them the bot tells a customer whose message opens a
//! ticket when agents are back, once per ticket, and the ticket still queues; the department API
//! shows when it opens. The schedule is in Asia/Tokyo and the clock is set to UTC times that are
//! a different weekday or hour there.

use chrono::{TimeZone, Utc};
use serde_json::json;
use switchboard::views::{DepartmentView, TicketView};

use crate::support::{Backend, WAIT, customer, spawn_app};
use crate::timers::{department_id, patch_department};

const AWAY: &str = "We're away until";

fn tokyo_weekdays() -> serde_json::Value {
    let day = json!([["09:00", "18:00"]]);
    json!({
        "time_zone": "Asia/Tokyo",
        "weekly": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
        "holidays": ["2026-12-07"],
    })
}

async fn outside_business_hours_the_customer_hears_once_when_agents_are_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin("root").await;
    let alice = app.agent("alice").await;
    let general = department_id(&admin, "General").await;
    let set = patch_department(&admin, general, json!({"business_hours": tokyo_weekdays()}))
        .await
        .expect::<DepartmentView>(200);
    assert_eq!(
        set.business_hours.as_ref().map(|h| h.time_zone.as_str()),
        Some("Asia/Tokyo")
    );

    // Friday 10:00 UTC is Friday 19:00 in Tokyo (open hours in UTC terms); Monday the 7th is a
    // holiday there, so agents are back on Tuesday.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap());
    let listed = admin
        .get_json::<Vec<DepartmentView>>("/api/departments")
        .await
        .into_iter()
        .find(|d| d.id == general)
        .expect("General");
    assert_eq!(
        listed.closed_until.as_deref(),
        Some("Tue 09:00 (Asia/Tokyo)")
    );
    let ann = customer(9401, "Ann");
    let number = app.customer_opens_ticket(&ann, "is anyone there?").await;
    let away = app
        .telegram
        .wait_for_message_to(ann.chat(), AWAY, WAIT)
        .await
        .expect("the customer is told when agents are back");
    assert!(
        away.contains("Tue 09:00 (Asia/Tokyo)"),
        "back after the holiday: {away}"
    );
    let mut ws = alice.ws().await;
    app.telegram.customer_says(&ann, "hello?");
    while ws.expect_message_created().await.1.text != "hello?" {}
    let queued: Vec<TicketView> = alice.get_json("/api/tickets?status=pending").await;
    assert!(
        queued.iter().any(|t| t.id == number),
        "the ticket queues anyway"
    );

    // Sunday 2026-11-29 23:30 UTC is Monday 08:30 in Tokyo.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 29, 23, 30, 0).unwrap());
    let bob = customer(9402, "Bob");
    app.customer_opens_ticket(&bob, "good morning").await;
    let away = app
        .telegram
        .wait_for_message_to(bob.chat(), AWAY, WAIT)
        .await
        .expect("Bob is told");
    assert!(away.contains("Mon 09:00 (Asia/Tokyo)"), "{away}");

    // Monday 00:30 UTC is Monday 09:30 in Tokyo: open, no notice.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 30, 0, 30, 0).unwrap());
    let cid = customer(9403, "Cid");
    app.customer_opens_ticket(&cid, "hi").await;
    let listed = admin
        .get_json::<Vec<DepartmentView>>("/api/departments")
        .await
        .into_iter()
        .find(|d| d.id == general)
        .expect("General");
    assert_eq!(listed.closed_until, None, "open now");

    // Ann's second message joined her ticket (stored above): still one notice.
    let cid_ack = app
        .telegram
        .sent_to(cid.chat())
        .iter()
        .filter(|t| t.contains(AWAY))
        .count();
    assert_eq!(cid_ack, 0, "no notice within business hours");
    let ann_notices = app
        .telegram
        .sent_to(ann.chat())
        .iter()
        .filter(|t| t.contains(AWAY))
        .count();
    assert_eq!(ann_notices, 1, "once per ticket");
}

crate::backend_tests!(outside_business_hours_the_customer_hears_once_when_agents_are_back);
