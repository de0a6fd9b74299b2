//! Lifecycle timers per department, driven by the app's adjustable clock (no sleeps): the idle
//! reminder and idle close counted from the customer's last message, the "waiting for customer"
//! and "solution suggested" states and their auto-close, the reopen window per department, a
//! timer that fires once after a restart, and one firing once with two instances on PostgreSQL.

use chrono::TimeDelta;
use reqwest::Method;
use serde_json::{Value, json};
use switchboard::{
    domain::{ChangeKind, CloseReason, DepartmentId, HoldState, Role, TicketId, TicketStatus},
    simulator::Customer,
    views::{ChangeView, DepartmentView, TicketView},
};

use crate::support::{Backend, Session, TestApp, WAIT, Ws, customer, spawn_app};

const REMINDER: &str = "Are you still there?";

/// The id of the department named `name`.
pub(crate) async fn department_id(session: &Session, name: &str) -> DepartmentId {
    session
        .get_json::<Vec<DepartmentView>>("/api/departments")
        .await
        .into_iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no department {name}"))
        .id
}

/// PATCHes department `id` with `body` as `session`.
pub(crate) async fn patch_department(
    session: &Session,
    id: DepartmentId,
    body: Value,
) -> crate::support::Reply {
    session
        .request(Method::PATCH, &format!("/api/departments/{id}"), Some(body))
        .await
}

/// The customer writes `text` and `ws` sees it stored.
async fn customer_writes(app: &TestApp, ws: &mut Ws, who: &Customer, text: &str) {
    app.telegram.customer_says(who, text);
    loop {
        let (_, message) = ws.expect_message_created().await;
        if message.text == text {
            return;
        }
    }
}

/// `agent` accepts ticket `number` and replies; the customer got the reply.
async fn accept_and_reply(app: &TestApp, agent: &Session, who: &Customer, number: TicketId) {
    agent.accept(number).await.expect::<TicketView>(200);
    reply(app, agent, who, number, "How can I help?").await;
}

async fn reply(app: &TestApp, agent: &Session, who: &Customer, number: TicketId, text: &str) {
    agent.reply(number, text).await.expect::<Value>(201);
    app.telegram
        .wait_for_message_to(who.chat(), text, WAIT)
        .await
        .expect("the customer got the reply");
}

fn count(app: &TestApp, who: &Customer, needle: &str) -> usize {
    app.telegram
        .sent_to(who.chat())
        .iter()
        .filter(|t| t.contains(needle))
        .count()
}

async fn ticket(session: &Session, number: TicketId) -> TicketView {
    session.get_json(&format!("/api/tickets/{number}")).await
}

async fn closes(session: &Session, number: TicketId) -> Vec<ChangeView> {
    session
        .get_json::<Vec<ChangeView>>(&format!("/api/tickets/{number}/timeline"))
        .await
        .into_iter()
        .filter(|c| c.kind == ChangeKind::Closed)
        .collect()
}

async fn set_state(session: &Session, number: TicketId, state: &str) -> crate::support::Reply {
    session
        .post(
            &format!("/api/tickets/{number}/state"),
            json!({"state": state}),
        )
        .await
}

async fn the_idle_reminder_and_close_count_from_the_customers_last_message(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin("root").await;
    let alice = app.agent("alice").await;
    let general = department_id(&admin, "General").await;
    let set = patch_department(
        &admin,
        general,
        json!({"idle_reminder_hours": 24, "idle_close_hours": 48}),
    )
    .await
    .expect::<DepartmentView>(200);
    assert_eq!(set.timers.idle_reminder_hours, Some(24));
    assert_eq!(set.timers.idle_close_hours, Some(48));
    let ann = customer(9301, "Ann");
    let number = app.customer_opens_ticket(&ann, "my parcel is lost").await;
    let mut ws = alice.ws().await;
    accept_and_reply(&app, &alice, &ann, number).await;

    app.advance(TimeDelta::hours(23));
    app.run_timers().await;
    assert_eq!(count(&app, &ann, REMINDER), 0, "not yet due");
    // The customer answers: the timers count from this message.
    customer_writes(&app, &mut ws, &ann, "still lost").await;
    app.advance(TimeDelta::hours(23));
    app.run_timers().await;
    assert_eq!(
        count(&app, &ann, REMINDER),
        0,
        "the customer's message is unanswered: no idle timer runs"
    );
    reply(&app, &alice, &ann, number, "Let me check the depot").await;
    app.run_timers().await;
    assert_eq!(
        count(&app, &ann, REMINDER),
        0,
        "46 hours after the first message, 23 after the last: not due"
    );

    app.advance(TimeDelta::hours(2));
    app.run_timers().await;
    app.telegram
        .wait_for_message_to(ann.chat(), REMINDER, WAIT)
        .await
        .expect("the reminder 25 hours after the customer's last message");
    app.run_timers().await;
    assert_eq!(ticket(&alice, number).await.status, TicketStatus::Accepted);

    app.advance(TimeDelta::hours(22));
    app.run_timers().await;
    assert_eq!(
        ticket(&alice, number).await.status,
        TicketStatus::Accepted,
        "47 hours: not closed yet"
    );
    app.advance(TimeDelta::hours(2));
    app.run_timers().await;
    let (closed, change) = ws.expect_change(ChangeKind::Closed).await;
    assert_eq!(closed.id, number);
    assert_eq!(closed.status, TicketStatus::Closed);
    assert_eq!(change.reason, Some(CloseReason::Idle));
    assert!(change.by.is_none(), "closed by the timer, not an agent");
    app.telegram
        .wait_for_message_to(
            ann.chat(),
            &format!("Your request #{number} is closed"),
            WAIT,
        )
        .await
        .expect("the customer is told of the close");
    // A timer's close is followed like an agent's: the customer is asked to rate it.
    let question = app
        .telegram
        .wait_for_keyboard_message(ann.chat(), WAIT)
        .await
        .expect("the customer is asked to rate the idle-closed ticket");
    assert!(
        question.to_string().contains(&format!("request #{number}")),
        "{question}"
    );
    app.run_timers().await;
    assert_eq!(count(&app, &ann, REMINDER), 1, "one reminder");
    assert_eq!(closes(&alice, number).await.len(), 1, "one close");
}

async fn waiting_and_solution_states_close_after_their_days_and_a_customer_message_clears_them(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let admin = app.admin("root").await;
    let alice = app.agent("alice").await;
    let general = department_id(&admin, "General").await;
    patch_department(
        &admin,
        general,
        json!({"waiting_close_days": 3, "solution_close_days": 2}),
    )
    .await
    .expect::<DepartmentView>(200);
    let ann = customer(9311, "Ann");
    let bob = customer(9312, "Bob");
    let first = app.customer_opens_ticket(&ann, "how do I pay?").await;
    let second = app.customer_opens_ticket(&bob, "the app crashes").await;
    accept_and_reply(&app, &alice, &ann, first).await;
    accept_and_reply(&app, &alice, &bob, second).await;

    let held = set_state(&alice, first, "waiting_customer")
        .await
        .expect::<TicketView>(200);
    assert_eq!(held.hold, Some(HoldState::WaitingCustomer));
    let suggested = set_state(&alice, second, "solution_suggested")
        .await
        .expect::<TicketView>(200);
    assert_eq!(suggested.hold, Some(HoldState::SolutionSuggested));
    let mut ws = alice.ws().await;

    app.advance(TimeDelta::days(2) - TimeDelta::minutes(5));
    app.run_timers().await;
    assert_eq!(ticket(&alice, second).await.status, TicketStatus::Accepted);
    // Ann answers: her ticket is back to normal working, live.
    app.telegram.customer_says(&ann, "by card, please");
    let cleared = loop {
        let updated = ws.expect_ticket_updated().await;
        if updated.id == first {
            break updated;
        }
    };
    assert_eq!(cleared.hold, None, "the customer's message ends the wait");
    assert_eq!(ticket(&alice, first).await.hold, None);

    app.advance(TimeDelta::minutes(10));
    app.run_timers().await;
    let (closed, change) = ws.expect_change(ChangeKind::Closed).await;
    assert_eq!(closed.id, second, "solution suggested two days ago");
    assert_eq!(change.reason, Some(CloseReason::Resolved));
    app.telegram
        .wait_for_message_to(
            bob.chat(),
            &format!("Your request #{second} is closed"),
            WAIT,
        )
        .await
        .expect("Bob is told");

    app.advance(TimeDelta::days(2));
    app.run_timers().await;
    assert_eq!(
        ticket(&alice, first).await.status,
        TicketStatus::Accepted,
        "no longer waiting: the waiting timer does not run"
    );
    reply(&app, &alice, &ann, first, "Card works. Anything else?").await;
    set_state(&alice, first, "waiting_customer")
        .await
        .expect::<TicketView>(200);
    app.advance(TimeDelta::days(3) - TimeDelta::minutes(1));
    app.run_timers().await;
    assert_eq!(ticket(&alice, first).await.status, TicketStatus::Accepted);
    app.advance(TimeDelta::minutes(2));
    app.run_timers().await;
    let (closed, change) = ws.expect_change(ChangeKind::Closed).await;
    assert_eq!(closed.id, first);
    assert_eq!(change.reason, Some(CloseReason::Idle));
    assert_eq!(closed.hold, None);
}

async fn only_the_owner_or_a_supervisor_may_set_a_tickets_state(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let carol = app.agent("carol").await;
    app.add_agent("sue", Role::Supervisor, &["General"]).await;
    let sue = app.login("sue").await;
    let ann = customer(9321, "Ann");
    let number = app.customer_opens_ticket(&ann, "hello").await;

    let pending = set_state(&alice, number, "waiting_customer").await;
    assert_eq!(pending.status.as_u16(), 409, "a pending ticket has no hold");
    alice.accept(number).await.expect::<TicketView>(200);
    assert_eq!(
        set_state(&carol, number, "waiting_customer").await.status,
        403
    );
    assert_eq!(set_state(&alice, number, "asleep").await.status, 422);
    let unknown = alice
        .post("/api/tickets/999999/state", json!({"state": "open"}))
        .await;
    assert_eq!(unknown.status, 404);
    let held = set_state(&sue, number, "solution_suggested")
        .await
        .expect::<TicketView>(200);
    assert_eq!(held.hold, Some(HoldState::SolutionSuggested));
    let open = set_state(&alice, number, "open")
        .await
        .expect::<TicketView>(200);
    assert_eq!(open.hold, None);
    let anonymous = reqwest::Client::new()
        .post(format!("{}/api/tickets/{number}/state", app.address))
        .header("Origin", &app.origin)
        .json(&json!({"state": "open"}))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status().as_u16(), 401);
}

async fn department_timers_are_validated_and_only_admins_change_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin("root").await;
    app.add_agent("sue", Role::Supervisor, &["General"]).await;
    let sue = app.login("sue").await;
    let general = department_id(&admin, "General").await;
    for bad in [
        json!({"idle_reminder_hours": 0}),
        json!({"idle_close_hours": 9000}),
        json!({"idle_reminder_hours": 24, "idle_close_hours": 12}),
        json!({"waiting_close_days": -1}),
        json!({"reopen_window_hours": "soon"}),
        json!({"business_hours": {"time_zone": "Nowhere/City", "weekly": {"mon": [["09:00", "17:00"]]}}}),
        json!({"business_hours": {"time_zone": "UTC", "weekly": {"mon": [["18:00", "09:00"]]}}}),
        json!({"business_hours": {"time_zone": "UTC", "weekly": {"funday": [["09:00", "17:00"]]}}}),
        json!({"business_hours": {"time_zone": "UTC", "weekly": {}}}),
    ] {
        let reply = patch_department(&admin, general, bad.clone()).await;
        assert!(
            matches!(reply.status.as_u16(), 400 | 422),
            "{bad} gave {}",
            reply.status
        );
    }
    let unchanged = department_id(&admin, "General").await;
    let view = admin
        .get_json::<Vec<DepartmentView>>("/api/departments")
        .await
        .into_iter()
        .find(|d| d.id == unchanged)
        .expect("General");
    assert_eq!(view.timers, Default::default(), "nothing was stored");
    assert_eq!(
        patch_department(&sue, general, json!({"idle_close_hours": 5}))
            .await
            .status,
        403
    );
    let set = patch_department(&admin, general, json!({"idle_close_hours": 5}))
        .await
        .expect::<DepartmentView>(200);
    assert_eq!(set.timers.idle_close_hours, Some(5));
    let off = patch_department(&admin, general, json!({"idle_close_hours": null}))
        .await
        .expect::<DepartmentView>(200);
    assert_eq!(off.timers.idle_close_hours, None, "null turns it off");
}

async fn the_reopen_window_is_per_department_with_the_global_one_by_default(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin("root").await;
    let alice = app.agent("alice").await;
    app.add_open_department("Billing", "billing").await;
    app.add_agent("bea", Role::Agent, &["Billing"]).await;
    let bea = app.login("bea").await;
    let general = department_id(&admin, "General").await;
    patch_department(&admin, general, json!({"reopen_window_hours": 1}))
        .await
        .expect::<DepartmentView>(200);
    let ann = customer(9331, "Ann");
    let bob = customer(9332, "Bob");
    let in_general = app.customer_opens_ticket(&ann, "hello").await;
    let in_billing = app.customer_opens_ticket(&bob, "/start billing").await;
    for (agent, who, number) in [(&alice, &ann, in_general), (&bea, &bob, in_billing)] {
        agent.accept(number).await.expect::<TicketView>(200);
        agent
            .post(
                &format!("/api/tickets/{number}/close"),
                json!({"reason": "resolved"}),
            )
            .await
            .expect::<TicketView>(200);
        app.telegram
            .wait_for_message_to(
                who.chat(),
                &format!("Your request #{number} is closed"),
                WAIT,
            )
            .await
            .expect("told of the close");
    }

    app.advance(TimeDelta::hours(2));
    let mut ws = bea.ws().await;
    app.telegram.customer_says(&bob, "one more question");
    let (reopened, _) = ws.expect_change(ChangeKind::Reopened).await;
    assert_eq!(reopened.id, in_billing, "Billing keeps the global 7 days");
    let mut general_ws = alice.ws().await;
    app.telegram.customer_says(&ann, "one more question");
    let (_, created) = general_ws.expect_ticket_created().await;
    let fresh = created.id;
    assert_ne!(fresh, in_general, "General's one hour has passed");
    assert_eq!(
        ticket(&alice, fresh).await.previous_ticket_id,
        Some(in_general)
    );
}

async fn a_timer_due_while_the_app_was_down_fires_once_after_a_restart(backend: Backend) {
    let mut app = spawn_app(backend.clone()).await;
    let admin = app.admin("root").await;
    let alice = app.agent("alice").await;
    let general = department_id(&admin, "General").await;
    patch_department(&admin, general, json!({"idle_close_hours": 2}))
        .await
        .expect::<DepartmentView>(200);
    let ann = customer(9341, "Ann");
    let number = app.customer_opens_ticket(&ann, "hi").await;
    accept_and_reply(&app, &alice, &ann, number).await;
    app.stop().await;

    let restarted = TestApp::start(backend, app.database_url.clone(), app.telegram.clone()).await;
    restarted.advance(TimeDelta::hours(3));
    let first = restarted.run_timers().await;
    let second = restarted.run_timers().await;
    restarted
        .telegram
        .wait_for_message_to(
            ann.chat(),
            &format!("Your request #{number} is closed"),
            WAIT,
        )
        .await
        .expect("the customer is told");
    assert!(first.closed + second.closed <= 1);
    let alice = restarted.login("alice").await;
    assert_eq!(ticket(&alice, number).await.status, TicketStatus::Closed);
    assert_eq!(closes(&alice, number).await.len(), 1, "closed once");
    assert_eq!(count(&restarted, &ann, "is closed"), 1, "told once");
}

crate::backend_tests!(
    the_idle_reminder_and_close_count_from_the_customers_last_message,
    waiting_and_solution_states_close_after_their_days_and_a_customer_message_clears_them,
    only_the_owner_or_a_supervisor_may_set_a_tickets_state,
    department_timers_are_validated_and_only_admins_change_them,
    the_reopen_window_is_per_department_with_the_global_one_by_default,
    a_timer_due_while_the_app_was_down_fires_once_after_a_restart,
);

/// Two instances on one PostgreSQL database run their timers at the same moment, several times:
/// each ticket closes once and its customer is told once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_two_instances_each_timer_fires_once() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = spawn_app(backend.clone()).await;
    let admin = app.admin("root").await;
    let alice = app.agent("alice").await;
    let general = department_id(&admin, "General").await;
    patch_department(
        &admin,
        general,
        json!({"idle_reminder_hours": 1, "idle_close_hours": 2}),
    )
    .await
    .expect::<DepartmentView>(200);
    let customers: Vec<Customer> = (0..4).map(|i| customer(9350 + i, "Cus")).collect();
    let mut numbers = Vec::new();
    for who in &customers {
        let number = app.customer_opens_ticket(who, "help").await;
        accept_and_reply(&app, &alice, who, number).await;
        numbers.push(number);
    }
    let second = TestApp::start(backend, app.database_url.clone(), app.telegram.clone()).await;

    for hours in [1, 1] {
        app.advance(TimeDelta::hours(hours) + TimeDelta::minutes(1));
        second.advance(TimeDelta::hours(hours) + TimeDelta::minutes(1));
        let runs = futures_util::future::join_all(
            (0..3).flat_map(|_| [app.run_timers(), second.run_timers()]),
        )
        .await;
        let reminded: usize = runs.iter().map(|r| r.reminded).sum();
        let closed: usize = runs.iter().map(|r| r.closed).sum();
        assert!(
            reminded <= 4 && closed <= 4,
            "{reminded} reminders, {closed} closes"
        );
    }
    for (who, number) in customers.iter().zip(&numbers) {
        app.telegram
            .wait_for_message_to(
                who.chat(),
                &format!("Your request #{number} is closed"),
                WAIT,
            )
            .await
            .expect("told of the close");
        assert_eq!(ticket(&alice, *number).await.status, TicketStatus::Closed);
        assert_eq!(closes(&alice, *number).await.len(), 1, "closed once");
        assert_eq!(count(&app, who, REMINDER), 1, "reminded once");
        assert_eq!(count(&app, who, "is closed"), 1, "told once");
    }
}
