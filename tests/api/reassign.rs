//! Reassign: to a department (Pending there) or to an agent of it (owned at once), with a note
//! for the timeline; the customer is told; bad values change nothing; races have one winner.

use futures_util::{FutureExt, future::join_all};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};
use switchboard::{
    domain::{AgentId, ChangeKind, DepartmentId, Role, TicketId, TicketStatus},
    hub::{Event, ServerFrame},
    store::entity::agent,
    views::{ChangeView, TicketView},
};

use crate::support::{Backend, Reply, Session, TestApp, WAIT, Ws, customer, spawn_app};

/// Asks for a reassign with the body `body`.
pub async fn reassign(session: &Session, ticket: TicketId, body: Value) -> Reply {
    session
        .post(&format!("/api/tickets/{ticket}/reassign"), body)
        .await
}

async fn timeline(session: &Session, ticket: TicketId) -> Vec<ChangeView> {
    session
        .get_json(&format!("/api/tickets/{ticket}/timeline"))
        .await
}

/// Waits for the `ticket.removed` about `ticket`; returns where the ticket went.
async fn expect_removed(ws: &mut Ws, ticket: TicketId) -> DepartmentId {
    ws.expect("ticket.removed event", |frame| match frame {
        ServerFrame::Event(event) => match event.event {
            Event::TicketRemoved {
                ticket_id,
                department_id,
            } if ticket_id == ticket => Some(department_id),
            _ => None,
        },
        _ => None,
    })
    .await
}

/// General (alice and bob), Billing (olga) and a supervisor (sam).
struct Team {
    alice: Session,
    bob: Session,
    olga: Session,
    sam: Session,
    general: DepartmentId,
    billing: DepartmentId,
}

async fn team(app: &TestApp) -> Team {
    let billing = app.add_department("Billing").await;
    let alice = app.agent("alice").await;
    let bob = app.agent("bob").await;
    app.add_agent("olga", Role::Agent, &["Billing"]).await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    let general = alice.agent.departments[0].id;
    Team {
        alice,
        bob,
        olga: app.login("olga").await,
        sam: app.login("sam").await,
        general,
        billing,
    }
}

async fn passing_a_ticket_to_a_department_leaves_it_pending_there_and_moves_it_between_consoles(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let ann = customer(7001, "Ann");
    let number = app.customer_opens_ticket(&ann, "I was charged twice").await;
    t.alice.accept(number).await.expect::<TicketView>(200);
    let mut bob_ws = t.bob.ws().await;
    let mut olga_ws = t.olga.ws().await;

    let body = json!({"department_id": t.billing, "note": "  wants a refund  "});
    let moved: TicketView = reassign(&t.alice, number, body).await.expect(200);

    assert_eq!(moved.status, TicketStatus::Pending);
    assert_eq!(moved.department.id, t.billing);
    assert_eq!(moved.owner, None);
    assert_eq!(moved.last_owner.map(|o| o.id), Some(t.alice.id()));
    assert_eq!(
        expect_removed(&mut bob_ws, number).await,
        t.billing,
        "the old department's consoles drop it"
    );
    let (ticket, change) = olga_ws.expect_change(ChangeKind::Reassigned).await;
    assert_eq!((ticket.id, ticket.status), (number, TicketStatus::Pending));
    assert_eq!(change.by.map(|a| a.id), Some(t.alice.id()));
    assert_eq!(change.from.department.map(|d| d.id), Some(t.general));
    assert_eq!(change.from.agent.map(|a| a.id), Some(t.alice.id()));
    assert_eq!(
        change.to.department.map(|d| d.name).as_deref(),
        Some("Billing")
    );
    assert_eq!(change.to.agent, None);
    assert_eq!(change.note.as_deref(), Some("wants a refund"));

    let told = app
        .telegram
        .wait_for_message_to(
            ann.chat(),
            &format!("Your request #{number} was passed to Billing."),
            WAIT,
        )
        .await;
    assert!(told.is_some(), "the customer is told where the ticket went");
    assert!(
        !app.telegram
            .sent_to(ann.chat())
            .iter()
            .any(|text| text.contains("refund")),
        "the internal note never reaches the customer"
    );
    let kinds: Vec<ChangeKind> = timeline(&t.olga, number)
        .await
        .iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            ChangeKind::Created,
            ChangeKind::Accepted,
            ChangeKind::Reassigned
        ]
    );
    assert_eq!(
        t.alice.get(&format!("/api/tickets/{number}")).await.status,
        404,
        "General cannot see it any more"
    );
    let taken: TicketView = t.olga.accept(number).await.expect(200);
    assert_eq!(taken.owner.map(|o| o.id), Some(t.olga.id()));
}

async fn passing_a_ticket_to_an_agent_makes_them_its_owner_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let number = app
        .customer_opens_ticket(&customer(7002, "Ann"), "billing question")
        .await;
    t.alice.accept(number).await.expect::<TicketView>(200);
    let mut olga_ws = t.olga.ws().await;

    let body = json!({"department_id": t.billing, "agent_id": t.olga.id()});
    let moved: TicketView = reassign(&t.alice, number, body).await.expect(200);

    assert_eq!(moved.status, TicketStatus::Accepted);
    assert_eq!(moved.owner.as_ref().map(|o| o.id), Some(t.olga.id()));
    assert_eq!(moved.last_owner.map(|o| o.id), Some(t.olga.id()));
    let (ticket, change) = olga_ws.expect_change(ChangeKind::Reassigned).await;
    assert_eq!(ticket.owner.map(|o| o.id), Some(t.olga.id()));
    assert_eq!(change.to.agent.map(|a| a.name).as_deref(), Some("Olga"));
    assert_eq!(change.by.map(|a| a.name).as_deref(), Some("Alice"));
    assert_eq!(t.olga.reply(number, "I can help").await.status, 201);
    let late = t
        .alice
        .post(
            &format!("/api/tickets/{number}/close"),
            json!({"reason": "resolved"}),
        )
        .await;
    assert_eq!(late.refusal(), (409, "conflict".to_owned()));
    assert_eq!(
        late.error().message,
        format!("ticket #{number} was passed to another department")
    );
    assert_eq!(
        late.error().ticket,
        None,
        "a ticket Alice may no longer see is not shown to her"
    );
    let late_reply = t.alice.reply(number, "one more thing").await;
    assert_eq!(
        late_reply.refusal(),
        (409, "conflict".to_owned()),
        "a reply after the ticket was passed out of sight is a conflict, not 'not found'"
    );
}

async fn a_supervisor_reassigns_a_pending_ticket_and_then_gives_it_to_an_agent(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let number = app
        .customer_opens_ticket(&customer(7003, "Ann"), "hello")
        .await;
    let mut alice_ws = t.alice.ws().await;

    let billing: TicketView = reassign(&t.sam, number, json!({"department_id": t.billing}))
        .await
        .expect(200);
    assert_eq!(
        (billing.status, billing.department.id),
        (TicketStatus::Pending, t.billing)
    );
    assert_eq!(expect_removed(&mut alice_ws, number).await, t.billing);

    let body = json!({"department_id": t.general, "agent_id": t.alice.id(), "note": "yours"});
    let given: TicketView = reassign(&t.sam, number, body).await.expect(200);
    assert_eq!(given.owner.map(|o| o.id), Some(t.alice.id()));
    let (ticket, change) = alice_ws.expect_change(ChangeKind::Reassigned).await;
    assert_eq!(ticket.id, number);
    assert_eq!(change.to.agent.map(|a| a.id), Some(t.alice.id()));
    assert_eq!(change.from.department.map(|d| d.id), Some(t.billing));
    assert_eq!(change.by.map(|a| a.name).as_deref(), Some("Sam"));
}

async fn bad_reassign_requests_are_refused_and_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    app.add_agent("gone", Role::Agent, &["Billing"]).await;
    let gone = app.login("gone").await.id();
    agent::Entity::update_many()
        .col_expr(agent::Column::Active, Expr::value(false))
        .filter(agent::Column::Id.eq(gone))
        .exec(&app.db().await)
        .await
        .expect("disabling an agent");
    let number = app
        .customer_opens_ticket(&customer(7004, "Ann"), "hi")
        .await;
    t.alice.accept(number).await.expect::<TicketView>(200);
    let before: TicketView = t.alice.get_json(&format!("/api/tickets/{number}")).await;

    let cases = [
        ("unknown department", json!({"department_id": 999_999})),
        (
            "unknown agent",
            json!({"department_id": t.billing, "agent_id": 999_999}),
        ),
        (
            "agent outside the department",
            json!({"department_id": t.billing, "agent_id": t.bob.id()}),
        ),
        (
            "disabled agent",
            json!({"department_id": t.billing, "agent_id": gone}),
        ),
        (
            "oversized note",
            json!({"department_id": t.billing, "note": "x".repeat(2001)}),
        ),
        (
            "where it is already",
            json!({"department_id": t.general, "agent_id": t.alice.id()}),
        ),
    ];
    for (what, body) in cases {
        let reply = reassign(&t.alice, number, body).await;
        assert_eq!(reply.refusal(), (422, "invalid".to_owned()), "{what}");
    }
    let outside = reassign(
        &t.alice,
        number,
        json!({"department_id": t.billing, "agent_id": t.bob.id()}),
    )
    .await;
    assert_eq!(outside.error().message, "Bob does not work in Billing");
    for (what, body) in [
        (
            "unknown field",
            json!({"department_id": t.billing, "agnt": 1}),
        ),
        ("no department", json!({"agent_id": t.olga.id()})),
    ] {
        let reply = reassign(&t.alice, number, body).await;
        assert_eq!(reply.refusal(), (400, "bad_request".to_owned()), "{what}");
    }
    let unknown_ticket = TicketId(number.0 + 999);
    let reply = reassign(
        &t.alice,
        unknown_ticket,
        json!({"department_id": t.billing}),
    )
    .await;
    assert_eq!(reply.refusal(), (404, "not_found".to_owned()));

    let after: TicketView = t.alice.get_json(&format!("/api/tickets/{number}")).await;
    assert_eq!(after, before, "the ticket is unchanged");
    assert_eq!(
        timeline(&t.alice, number).await.len(),
        2,
        "no change recorded"
    );
    assert!(
        !app.telegram
            .sent_to(customer(7004, "Ann").chat())
            .iter()
            .any(|text| text.contains("passed to")),
        "the customer was told nothing"
    );
}

/// The replies of a race: exactly one 200, every other a 409 `conflict` or `already_accepted`.
fn one_winner(replies: &[Reply]) -> usize {
    let winners: Vec<usize> = (0..replies.len())
        .filter(|i| replies[*i].status == 200)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one winner: {replies:?}");
    for lost in replies.iter().filter(|r| r.status != 200) {
        let (status, code) = lost.refusal();
        assert_eq!(status, 409, "{lost:?}");
        assert!(code == "conflict" || code == "already_accepted", "{lost:?}");
    }
    winners[0]
}

/// The timeline's changes after the ticket was created and `settled` (accepted, say).
async fn changes_after(session: &Session, ticket: TicketId, settled: usize) -> Vec<ChangeKind> {
    timeline(session, ticket)
        .await
        .iter()
        .skip(1 + settled)
        .map(|c| c.kind)
        .collect()
}

/// Where the caller saw the ticket: `{department_id, owner_id}`.
fn seen(department: DepartmentId, owner: Option<AgentId>) -> Value {
    json!({"department_id": department, "owner_id": owner})
}

const ROUNDS: i64 = 4;

async fn accepts_racing_reassigns_of_a_pending_ticket_have_exactly_one_winner(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let mut accepters = vec![t.alice.clone(), t.bob.clone()];
    for i in 0..3 {
        accepters.push(app.agent(&format!("agent{i}")).await);
    }
    let sales = app.add_department("Sales").await;
    app.add_agent("ada", Role::Admin, &[]).await;
    let ada = app.login("ada").await;
    for round in 0..ROUNDS {
        let number = app
            .customer_opens_ticket(&customer(7100 + round, "Ann"), "race")
            .await;
        let to_billing = json!({"department_id": t.billing, "expected": seen(t.general, None)});
        let to_sales = json!({"department_id": sales, "expected": seen(t.general, None)});
        let (accepts, to_billing, to_sales) = tokio::join!(
            join_all(accepters.iter().map(|a| a.accept(number))),
            reassign(&t.sam, number, to_billing),
            reassign(&ada, number, to_sales),
        );
        let mut replies = accepts;
        replies.extend([to_billing, to_sales]);
        let winner = one_winner(&replies);
        let ticket: TicketView = t.sam.get_json(&format!("/api/tickets/{number}")).await;
        if winner >= accepters.len() {
            let went = [t.billing, sales][winner - accepters.len()];
            assert_eq!(ticket.department.id, went);
            assert_eq!(ticket.status, TicketStatus::Pending);
        } else {
            assert_eq!(ticket.department.id, t.general);
            assert_eq!(ticket.owner.map(|o| o.id), Some(accepters[winner].id()));
        }
        assert_eq!(
            changes_after(&t.sam, number, 0).await.len(),
            1,
            "one change"
        );
    }
}

async fn a_reassign_racing_a_close_has_exactly_one_winner(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let sales = app.add_department("Sales").await;
    app.add_agent("ada", Role::Admin, &[]).await;
    let ada = app.login("ada").await;
    for round in 0..ROUNDS {
        let number = app
            .customer_opens_ticket(&customer(7200 + round, "Ann"), "race")
            .await;
        t.alice.accept(number).await.expect::<TicketView>(200);
        let expected = seen(t.general, Some(t.alice.id()));
        let close = json!({"reason": "resolved"});
        let to_sales = json!({"department_id": sales, "expected": expected});
        let to_olga =
            json!({"department_id": t.billing, "agent_id": t.olga.id(), "expected": expected});
        let close_path = format!("/api/tickets/{number}/close");
        let replies = [
            t.alice.post(&close_path, close).boxed(),
            reassign(&t.sam, number, to_sales).boxed(),
            reassign(&ada, number, to_olga).boxed(),
        ];
        let replies = join_all(replies).await;
        let winner = one_winner(&replies);
        let ticket: TicketView = t.sam.get_json(&format!("/api/tickets/{number}")).await;
        let expected_place = [
            (TicketStatus::Closed, t.general),
            (TicketStatus::Pending, sales),
            (TicketStatus::Accepted, t.billing),
        ][winner];
        assert_eq!((ticket.status, ticket.department.id), expected_place);
        assert_eq!(
            changes_after(&t.sam, number, 1).await.len(),
            1,
            "one change"
        );
    }
}

async fn reassigns_to_different_departments_racing_a_return_have_exactly_one_winner(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    let sales = app.add_department("Sales").await;
    for round in 0..ROUNDS {
        let number = app
            .customer_opens_ticket(&customer(7300 + round, "Ann"), "race")
            .await;
        t.alice.accept(number).await.expect::<TicketView>(200);
        let expected = seen(t.general, Some(t.alice.id()));
        let return_path = format!("/api/tickets/{number}/return");
        let replies = [
            reassign(
                &t.alice,
                number,
                json!({"department_id": t.billing, "expected": expected}),
            )
            .boxed(),
            reassign(
                &t.alice,
                number,
                json!({"department_id": sales, "expected": expected}),
            )
            .boxed(),
            t.alice.post(&return_path, json!({})).boxed(),
            reassign(
                &t.sam,
                number,
                json!({"department_id": t.billing, "agent_id": t.olga.id(), "expected": expected}),
            )
            .boxed(),
            reassign(
                &t.sam,
                number,
                json!({"department_id": sales, "expected": expected}),
            )
            .boxed(),
        ];
        let replies = join_all(replies).await;
        let winner = one_winner(&replies);
        let ticket: TicketView = t.sam.get_json(&format!("/api/tickets/{number}")).await;
        let expected_place = [
            (TicketStatus::Pending, t.billing),
            (TicketStatus::Pending, sales),
            (TicketStatus::Pending, t.general),
            (TicketStatus::Accepted, t.billing),
            (TicketStatus::Pending, sales),
        ][winner];
        assert_eq!((ticket.status, ticket.department.id), expected_place);
        assert_eq!(
            changes_after(&t.sam, number, 1).await.len(),
            1,
            "one change"
        );
    }
}

async fn reassigns_to_different_agents_at_once_have_exactly_one_winner(backend: Backend) {
    let app = spawn_app(backend).await;
    let t = team(&app).await;
    app.add_agent("ada", Role::Admin, &[]).await;
    let ada = app.login("ada").await;
    app.add_agent("sue", Role::Supervisor, &[]).await;
    let sue = app.login("sue").await;
    for round in 0..ROUNDS {
        let number = app
            .customer_opens_ticket(&customer(7400 + round, "Ann"), "race")
            .await;
        t.alice.accept(number).await.expect::<TicketView>(200);
        let expected = seen(t.general, Some(t.alice.id()));
        let targets = [
            (&t.sam, t.general, Some(t.bob.id())),
            (&ada, t.billing, Some(t.olga.id())),
            (&sue, t.general, None),
        ];
        let replies = join_all(targets.iter().map(|(who, department, agent)| {
            let body =
                json!({"department_id": department, "agent_id": agent, "expected": expected});
            reassign(who, number, body)
        }))
        .await;
        let winner = one_winner(&replies);
        let ticket: TicketView = t.sam.get_json(&format!("/api/tickets/{number}")).await;
        let (_, department, agent) = targets[winner];
        assert_eq!(ticket.department.id, department);
        assert_eq!(ticket.owner.map(|o| o.id), agent);
        assert_eq!(
            changes_after(&t.sam, number, 1).await.len(),
            1,
            "one change"
        );
    }
}

crate::backend_tests!(
    passing_a_ticket_to_a_department_leaves_it_pending_there_and_moves_it_between_consoles,
    passing_a_ticket_to_an_agent_makes_them_its_owner_at_once,
    a_supervisor_reassigns_a_pending_ticket_and_then_gives_it_to_an_agent,
    bad_reassign_requests_are_refused_and_change_nothing,
    accepts_racing_reassigns_of_a_pending_ticket_have_exactly_one_winner,
    reassigns_to_different_agents_at_once_have_exactly_one_winner,
    a_reassign_racing_a_close_has_exactly_one_winner,
    reassigns_to_different_departments_racing_a_return_have_exactly_one_winner,
);
