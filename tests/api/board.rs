//! The supervisor board, take-over, priorities and first-response targets: figures from a seeded
//! state, who may do what, the Pending queue's order and paging, races with one winner, and a
//! breach alerted once however many instances check.

use chrono::{TimeDelta, Utc};
use futures_util::future::join_all;
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use switchboard::{
    domain::{BreachKind, ChangeKind, DepartmentId, Presence, Priority, Role, TicketId},
    hub::{Event, ServerFrame},
    service::Service,
    store::entity::{event, ticket},
    views::{BoardView, ChangeView, ClientView, DepartmentView, TicketView},
};

use crate::support::{Backend, Reply, Session, TestApp, customer, spawn_app};

async fn patch(session: &Session, path: &str, body: serde_json::Value) -> Reply {
    session.request(Method::PATCH, path, Some(body)).await
}

async fn take_over(session: &Session, ticket: TicketId, owner: Option<&Session>) -> Reply {
    let body = json!({"expected_owner_id": owner.map(Session::id)});
    session
        .post(&format!("/api/tickets/{ticket}/take-over"), body)
        .await
}

/// Moves a ticket's opening (and its customer's wait) `minutes` into the past.
async fn age(app: &TestApp, ticket: TicketId, minutes: i64) {
    let at = Utc::now() - TimeDelta::minutes(minutes);
    ticket::Entity::update_many()
        .col_expr(ticket::Column::CreatedAt, Expr::value(at))
        .col_expr(ticket::Column::AwaitingReplySince, Expr::value(at))
        .filter(ticket::Column::Id.eq(ticket))
        .exec(&app.db().await)
        .await
        .unwrap();
}

async fn set_target(admin: &Session, department: DepartmentId, secs: Option<i32>) {
    patch(
        admin,
        &format!("/api/departments/{department}"),
        json!({"first_response_target_secs": secs}),
    )
    .await
    .expect::<DepartmentView>(200);
}

async fn board_figures_come_from_the_tickets_and_agents_as_they_are(backend: Backend) {
    let app = spawn_app(backend).await;
    let billing = app.add_department("Billing").await;
    let alice = app.agent("alice").await;
    let bob = app.agent("bob").await;
    app.add_agent("olga", Role::Agent, &["Billing"]).await;
    let admin = app.admin("root").await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    let sam = app.login("sam").await;
    let general = alice.agent.departments[0].id;
    set_target(&admin, general, Some(600)).await;
    // Four tickets in General: two wait (one for an hour), alice holds one, bob one.
    let mut numbers = Vec::new();
    for (i, name) in ["Ann", "Ben", "Cid", "Dee"].into_iter().enumerate() {
        numbers.push(
            app.customer_opens_ticket(&customer(8100 + i as i64, name), "help")
                .await,
        );
    }
    age(&app, numbers[0], 60).await;
    alice.accept(numbers[2]).await.expect::<TicketView>(200);
    bob.accept(numbers[3]).await.expect::<TicketView>(200);
    // Bob's customer has waited 20 minutes for a reply: past the 10-minute target too.
    age(&app, numbers[3], 20).await;
    // One in Billing, taken over by sam from nobody: reassigned to him directly.
    let erin = app
        .customer_opens_ticket(&customer(8200, "Erin"), "refund")
        .await;
    sam.post(
        &format!("/api/tickets/{erin}/reassign"),
        json!({"department_id": billing}),
    )
    .await
    .expect::<TicketView>(200);
    let olga = app.login("olga").await;
    olga.accept(erin).await.expect::<TicketView>(200);
    take_over(&sam, erin, Some(&olga))
        .await
        .expect::<TicketView>(200);
    alice
        .request(
            Method::PUT,
            "/api/presence",
            Some(json!({"presence": "away"})),
        )
        .await;

    let board: BoardView = sam.get_json("/api/board").await;
    let g = board.departments.iter().find(|d| d.id == general).unwrap();
    assert_eq!(g.pending, 2);
    let oldest: TicketView = sam.get_json(&format!("/api/tickets/{}", numbers[0])).await;
    assert_eq!(g.oldest_pending_at, Some(oldest.created_at));
    assert_eq!(
        g.past_target, 2,
        "the hour-old Pending one and bob's unanswered one"
    );
    assert_eq!(g.first_response_target_secs, Some(600));
    let held: Vec<(String, u64, bool)> = g
        .agents
        .iter()
        .map(|a| (a.name.clone(), a.open_tickets, a.member))
        .collect();
    assert_eq!(
        held,
        vec![("Alice".to_owned(), 1, true), ("Bob".to_owned(), 1, true)]
    );
    // Without a live console nobody is online.
    assert_eq!(g.agents[0].presence, Presence::Offline);
    let b = board.departments.iter().find(|d| d.id == billing).unwrap();
    assert_eq!(
        (b.pending, b.oldest_pending_at, b.past_target),
        (0, None, 0)
    );
    let held: Vec<(String, u64, bool)> = b
        .agents
        .iter()
        .map(|a| (a.name.clone(), a.open_tickets, a.member))
        .collect();
    assert_eq!(
        held,
        vec![("Olga".to_owned(), 0, true), ("Sam".to_owned(), 1, false)]
    );
    // The admin sees the same board.
    let same: BoardView = admin.get_json("/api/board").await;
    assert_eq!(same.departments.len(), board.departments.len());
}

async fn every_new_route_answers_each_role_as_documented(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let bob = app.agent("bob").await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    let sam = app.login("sam").await;
    let admin = app.admin("root").await;
    let general = alice.agent.departments[0].id;
    let number = app
        .customer_opens_ticket(&customer(8300, "Ann"), "hi")
        .await;
    let view = bob.accept(number).await.expect::<TicketView>(200);
    let client = view.client.id;

    // The board: agents 403, supervisors and admins 200, nobody 401.
    assert_eq!(
        alice.get("/api/board").await.refusal(),
        (403, "forbidden".to_owned())
    );
    assert_eq!(sam.get("/api/board").await.status, 200);
    assert_eq!(admin.get("/api/board").await.status, 200);
    let anonymous = reqwest::get(format!("{}/api/board", app.address))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    // Take-over: an agent may not (not even the owner's colleague).
    assert_eq!(
        take_over(&alice, number, Some(&bob)).await.refusal(),
        (403, "forbidden".to_owned())
    );
    let taken: TicketView = take_over(&sam, number, Some(&bob)).await.expect(200);
    assert_eq!(taken.owner.unwrap().id, sam.id());
    let again: TicketView = take_over(&admin, number, Some(&sam)).await.expect(200);
    assert_eq!(again.owner.unwrap().id, admin.id());
    let pending = app
        .customer_opens_ticket(&customer(8301, "Ben"), "hi")
        .await;
    assert_eq!(take_over(&sam, pending, None).await.status, 409);
    assert_eq!(take_over(&sam, TicketId(999_999), None).await.status, 404);

    // A client's priority: supervisors and admins; a bad value is refused.
    let path = format!("/api/clients/{client}");
    assert_eq!(
        patch(&alice, &path, json!({"priority": "vip"}))
            .await
            .refusal(),
        (403, "forbidden".to_owned())
    );
    let set: ClientView = patch(&sam, &path, json!({"priority": "vip"}))
        .await
        .expect(200);
    assert_eq!(set.priority, Priority::Vip);
    let set: ClientView = patch(&admin, &path, json!({"priority": "priority"}))
        .await
        .expect(200);
    assert_eq!(set.priority, Priority::Priority);
    assert_eq!(
        patch(&admin, &path, json!({"priority": "urgent"}))
            .await
            .status,
        400
    );
    assert_eq!(
        patch(&admin, "/api/clients/999999", json!({"priority": "vip"}))
            .await
            .status,
        404
    );

    // A department's priority and target: admins only; the target is checked.
    let path = format!("/api/departments/{general}");
    for session in [&alice, &sam] {
        assert_eq!(
            patch(session, &path, json!({"priority": "vip"}))
                .await
                .refusal(),
            (403, "forbidden".to_owned())
        );
    }
    let department: DepartmentView = patch(
        &admin,
        &path,
        json!({"priority": "vip", "first_response_target_secs": 300}),
    )
    .await
    .expect(200);
    assert_eq!(department.priority, Priority::Vip);
    assert_eq!(department.first_response_target_secs, Some(300));
    assert_eq!(
        patch(&admin, &path, json!({"first_response_target_secs": 0}))
            .await
            .status,
        422
    );
    let cleared: DepartmentView = patch(&admin, &path, json!({"first_response_target_secs": null}))
        .await
        .expect(200);
    assert_eq!(cleared.first_response_target_secs, None);
    assert_eq!(cleared.priority, Priority::Vip, "a missing field stays");
}

async fn the_pending_queue_puts_vip_first_then_priority_then_the_longest_wait(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let admin = app.admin("root").await;
    let vip_desk = app.add_department("VIP desk").await;
    let mut numbers = Vec::new();
    for i in 0..6 {
        numbers.push(
            app.customer_opens_ticket(&customer(8400 + i, &format!("C{i}")), "hi")
                .await,
        );
    }
    // Make the waits distinct and known: ticket i opened (10 - i) minutes ago.
    for (i, number) in numbers.iter().enumerate() {
        age(&app, *number, 10 - i as i64).await;
    }
    let (alice_ref, numbers_ref) = (&alice, &numbers);
    let client_of = |n: usize| async move {
        let view: TicketView = alice_ref
            .get_json(&format!("/api/tickets/{}", numbers_ref[n]))
            .await;
        view.client.id
    };
    // Ticket 4's client is VIP, ticket 2's client is priority; ticket 5 moves to a VIP department.
    let four = client_of(4).await;
    patch(
        &admin,
        &format!("/api/clients/{four}"),
        json!({"priority": "vip"}),
    )
    .await
    .expect::<ClientView>(200);
    let two = client_of(2).await;
    patch(
        &admin,
        &format!("/api/clients/{two}"),
        json!({"priority": "priority"}),
    )
    .await
    .expect::<ClientView>(200);
    patch(
        &admin,
        &format!("/api/departments/{vip_desk}"),
        json!({"priority": "vip"}),
    )
    .await
    .expect::<DepartmentView>(200);
    admin
        .post(
            &format!("/api/tickets/{}/reassign", numbers[5]),
            json!({"department_id": vip_desk}),
        )
        .await
        .expect::<TicketView>(200);
    let expected = vec![
        numbers[4], numbers[5], numbers[2], numbers[0], numbers[1], numbers[3],
    ];
    // Paged two at a time, the admin (all departments) sees them in that order.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/tickets?status=pending&limit=2&after={a}"),
            None => "/api/tickets?status=pending&limit=2".to_owned(),
        };
        let response = reqwest::Client::new()
            .get(format!("{}{path}", admin.address))
            .header("Cookie", &admin.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        after = response
            .headers()
            .get("x-next-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let page: Vec<TicketView> = response.json().await.unwrap();
        assert!(page.len() <= 2);
        seen.extend(page.iter().map(|t| t.id));
        if after.is_none() {
            break;
        }
    }
    assert_eq!(seen, expected);
    let priorities: Vec<Priority> = admin
        .get_json::<Vec<TicketView>>("/api/tickets?status=pending")
        .await
        .iter()
        .map(|t| t.priority)
        .collect();
    assert_eq!(
        priorities,
        vec![
            Priority::Vip,
            Priority::Vip,
            Priority::Priority,
            Priority::Normal,
            Priority::Normal,
            Priority::Normal
        ]
    );
    // Alice (General only) sees General's part in the same order.
    let mine: Vec<TicketId> = alice
        .get_json::<Vec<TicketView>>("/api/tickets?status=pending")
        .await
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(
        mine,
        vec![numbers[4], numbers[2], numbers[0], numbers[1], numbers[3]]
    );
    // Back to normal: the client's ticket falls back to its wait's place.
    patch(
        &admin,
        &format!("/api/clients/{four}"),
        json!({"priority": "normal"}),
    )
    .await
    .expect::<ClientView>(200);
    let mine: Vec<TicketId> = alice
        .get_json::<Vec<TicketView>>("/api/tickets?status=pending")
        .await
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(
        mine,
        vec![numbers[2], numbers[0], numbers[1], numbers[3], numbers[4]]
    );
}

async fn racing_take_overs_of_one_ticket_have_exactly_one_winner(backend: Backend) {
    let app = spawn_app(backend).await;
    let bob = app.agent("bob").await;
    let mut supervisors = Vec::new();
    for i in 0..4 {
        let login = format!("sup{i}");
        app.add_agent(&login, Role::Supervisor, &[]).await;
        supervisors.push(app.login(&login).await);
    }
    for round in 0..3 {
        let number = app
            .customer_opens_ticket(&customer(8500 + round, "Ann"), "race")
            .await;
        bob.accept(number).await.expect::<TicketView>(200);
        let replies = join_all(supervisors.iter().map(|s| take_over(s, number, Some(&bob)))).await;
        let winners: Vec<usize> = (0..replies.len())
            .filter(|i| replies[*i].status == 200)
            .collect();
        assert_eq!(winners.len(), 1, "exactly one winner: {replies:?}");
        let winner = supervisors[winners[0]].id();
        for lost in replies.iter().filter(|r| r.status != 200) {
            assert_eq!(lost.refusal(), (409, "conflict".to_owned()), "{lost:?}");
            let now = lost.error().ticket.expect("the ticket as it now is");
            assert_eq!(now.owner.unwrap().id, winner);
        }
        let timeline: Vec<ChangeView> = bob
            .get_json(&format!("/api/tickets/{number}/timeline"))
            .await;
        let taken: Vec<&ChangeView> = timeline
            .iter()
            .filter(|c| c.kind == ChangeKind::TakenOver)
            .collect();
        assert_eq!(taken.len(), 1, "one taken_over entry: {timeline:?}");
    }
}

async fn the_old_owner_hears_that_their_ticket_was_taken_over(backend: Backend) {
    let app = spawn_app(backend).await;
    let bob = app.agent("bob").await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    let sam = app.login("sam").await;
    let number = app
        .customer_opens_ticket(&customer(8600, "Ann"), "hi")
        .await;
    bob.accept(number).await.expect::<TicketView>(200);
    let mut ws = bob.ws().await;
    take_over(&sam, number, Some(&bob))
        .await
        .expect::<TicketView>(200);
    let (ticket, change) = ws
        .expect("ticket.updated with taken_over", |frame| match frame {
            ServerFrame::Event(e) => match e.event {
                Event::TicketUpdated {
                    ticket,
                    change: Some(change),
                } if change.kind == ChangeKind::TakenOver => Some((ticket, change)),
                _ => None,
            },
            _ => None,
        })
        .await;
    assert_eq!(ticket.owner.unwrap().id, sam.id());
    assert_eq!(change.by.unwrap().id, sam.id());
    // Bob may no longer reply.
    assert_eq!(bob.reply(number, "still mine?").await.status, 403);
}

async fn a_breach_is_recorded_and_alerted_once_however_many_instances_check(backend: Backend) {
    let app = spawn_app(backend).await;
    let bob = app.agent("bob").await;
    let admin = app.admin("root").await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    let sam = app.login("sam").await;
    let general = bob.agent.departments[0].id;
    set_target(&admin, general, Some(60)).await;
    let waiting = app
        .customer_opens_ticket(&customer(8700, "Ann"), "hi")
        .await;
    let answered = app
        .customer_opens_ticket(&customer(8701, "Ben"), "hi")
        .await;
    bob.accept(answered).await.expect::<TicketView>(200);
    bob.reply(answered, "hello").await;
    let mut ws = sam.ws().await;
    let (one, two) = (app.db().await, app.db().await);
    // Before the target: nothing.
    let early = Utc::now() + TimeDelta::seconds(30);
    assert_eq!(
        Service::check_breaches_in(&one, "a", early).await.unwrap(),
        0
    );
    // Past it, two instances check at once, several times: one breach, one event.
    let late = Utc::now() + TimeDelta::seconds(120);
    for _ in 0..3 {
        let (a, b) = tokio::join!(
            Service::check_breaches_in(&one, "a", late),
            Service::check_breaches_in(&two, "b", late)
        );
        let _ = (a.unwrap(), b.unwrap());
    }
    let breached = event::Entity::find()
        .filter(event::Column::Kind.eq("ticket.breached"))
        .all(&one)
        .await
        .unwrap();
    assert_eq!(breached.len(), 1, "one breach, one event");
    let (ticket, kind) = ws
        .expect("ticket.breached", |frame| match frame {
            ServerFrame::Event(e) => match e.event {
                Event::TicketBreached { ticket, kind, .. } => Some((ticket, kind)),
                _ => None,
            },
            _ => None,
        })
        .await;
    assert_eq!((ticket.id, kind), (waiting, BreachKind::FirstResponse));
    let breach = ticket.breach.expect("the ticket carries its breach");
    assert_eq!(breach.since, ticket.created_at);
    // The answered customer writes again: a new wait, breached once as a reply breach.
    app.telegram.customer_says(&customer(8701, "Ben"), "and?");
    let deadline = tokio::time::Instant::now() + crate::support::WAIT;
    let since = loop {
        let view: TicketView = bob.get_json(&format!("/api/tickets/{answered}")).await;
        if let Some(since) = view.awaiting_reply_since {
            break since;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the message never arrived"
        );
        tokio::task::yield_now().await;
    };
    let later = since + TimeDelta::seconds(61);
    let (a, b) = tokio::join!(
        Service::check_breaches_in(&one, "a", later),
        Service::check_breaches_in(&two, "b", later)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    let view: TicketView = bob.get_json(&format!("/api/tickets/{answered}")).await;
    assert_eq!(
        view.breach.map(|b| (b.kind, b.since)),
        Some((BreachKind::Reply, since))
    );
    // The reply ends the wait and the breach with it.
    bob.reply(answered, "sorry").await;
    let view: TicketView = bob.get_json(&format!("/api/tickets/{answered}")).await;
    assert_eq!(view.breach, None);
}

crate::backend_tests!(
    board_figures_come_from_the_tickets_and_agents_as_they_are,
    every_new_route_answers_each_role_as_documented,
    the_pending_queue_puts_vip_first_then_priority_then_the_longest_wait,
    racing_take_overs_of_one_ticket_have_exactly_one_winner,
    the_old_owner_hears_that_their_ticket_was_taken_over,
    a_breach_is_recorded_and_alerted_once_however_many_instances_check,
);
