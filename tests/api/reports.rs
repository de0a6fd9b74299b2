//! Reports: figures from a seeded history whose answers are known (tickets, replies and ratings
//! stored with chosen timestamps), day edges at a UTC offset, filters, the role matrix, and the
//! CSV's quoting and formula guard.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use switchboard::{
    domain::{
        AgentId, AuthorKind, ChatId, ClientId, CloseReason, DepartmentId, Direction,
        TelegramUserId, TicketId, TicketStatus,
    },
    service::{Figures, Report},
    store::entity::{client, message, rating, ticket},
};

use crate::support::{Backend, Session, TestApp, spawn_app};

/// The department whose name a spreadsheet would take for a formula.
pub(crate) const BILLING: &str = "=Billing, \"Gold\"";

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("a timestamp")
}

/// One seeded ticket: where, whose, when created, first agent reply and close.
#[derive(Clone, Copy)]
struct Seed {
    department: DepartmentId,
    owner: Option<AgentId>,
    created: &'static str,
    reply: Option<&'static str>,
    closed: Option<&'static str>,
}

async fn seed(db: &DatabaseConnection, n: i64, seed: Seed) -> (TicketId, ClientId) {
    let created = at(seed.created);
    let client = client::Entity::insert(client::ActiveModel {
        telegram_id: Set(TelegramUserId(900_000 + n)),
        username: Set(None),
        name: Set(format!("Customer {n}")),
        language: Set(None),
        unreachable_since: Set(None),
        unreachable_reason: Set(None),
        created_at: Set(created),
        updated_at: Set(created),
        ..Default::default()
    })
    .exec(db)
    .await
    .expect("storing a client")
    .last_insert_id;
    let client: ClientId = client;
    let closed = seed.closed.map(at);
    let ticket = ticket::Entity::insert(ticket::ActiveModel {
        client_id: Set(client),
        department_id: Set(seed.department),
        status: Set(match (closed, seed.owner) {
            (Some(_), _) => TicketStatus::Closed,
            (None, Some(_)) => TicketStatus::Accepted,
            (None, None) => TicketStatus::Pending,
        }),
        owner_id: Set(if closed.is_some() { None } else { seed.owner }),
        last_owner_id: Set(if closed.is_some() { seed.owner } else { None }),
        created_at: Set(created),
        updated_at: Set(closed.unwrap_or(created)),
        accepted_at: Set(seed.owner.map(|_| created)),
        closed_at: Set(closed),
        close_reason: Set(closed.map(|_| CloseReason::Resolved)),
        close_comment: Set(None),
        previous_ticket_id: Set(None),
        awaiting_reply_since: Set(None),
        open_slot: Set(0),
        ..Default::default()
    })
    .exec(db)
    .await
    .expect("storing a ticket")
    .last_insert_id;
    let chat = ChatId(900_000 + n);
    let mut messages = vec![
        (Direction::In, AuthorKind::Customer, None, created),
        // An acknowledgement is no agent's reply.
        (
            Direction::Out,
            AuthorKind::System,
            None,
            created + chrono::TimeDelta::seconds(1),
        ),
    ];
    if let Some(reply) = seed.reply {
        let reply = at(reply);
        messages.push((Direction::Out, AuthorKind::Agent, seed.owner, reply));
        // A later reply does not move the first response.
        messages.push((
            Direction::Out,
            AuthorKind::Agent,
            seed.owner,
            reply + chrono::TimeDelta::hours(1),
        ));
    }
    let rows: Vec<message::ActiveModel> = messages
        .into_iter()
        .map(|(direction, kind, agent, when)| message::ActiveModel {
            ticket_id: Set(ticket),
            direction: Set(direction),
            author_kind: Set(kind),
            author_agent_id: Set(agent),
            text: Set("text".to_owned()),
            telegram_chat_id: Set(chat),
            telegram_message_id: Set(None),
            delivery: Set(None),
            delivery_error: Set(None),
            delivery_claimed_at: Set(None),
            created_at: Set(when),
            reply_markup: Set(None),
            ..Default::default()
        })
        .collect();
    message::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .expect("storing messages");
    (ticket, client)
}

/// A rating of `ticket` as the bot stores it: asked when it closed, answered with `stars` at
/// `rated` (None: asked, never answered).
async fn rate(
    db: &DatabaseConnection,
    (ticket, client): (TicketId, ClientId),
    seed: &Seed,
    stars: Option<i16>,
    rated: Option<&str>,
) {
    let asked = at(seed.closed.expect("a rated ticket is closed"));
    rating::Entity::insert(rating::ActiveModel {
        ticket_id: Set(ticket),
        client_id: Set(client),
        agent_id: Set(seed.owner),
        department_id: Set(seed.department),
        token: Set(format!("t{}", ticket.0)),
        stars: Set(stars),
        comment: Set(None),
        comment_until: Set(None),
        created_at: Set(asked),
        rated_at: Set(rated.map(at)),
        ..Default::default()
    })
    .exec(db)
    .await
    .expect("storing a rating");
}

pub(crate) struct History {
    pub(crate) general: DepartmentId,
    pub(crate) billing: DepartmentId,
    pub(crate) alice: AgentId,
    pub(crate) bob: AgentId,
}

/// Six tickets around 1–3 March 2026 (UTC):
/// 1 General/Alice created 03-01 10:00, replied after 90 s, open;
/// 2 General/Alice created 03-01 23:30, replied after 300 s, closed 03-02 01:30 (7,200 s);
/// 3 Billing/Bob created 03-02 08:00, replied after 600 s, closed 03-03 08:00 (86,400 s);
/// 4 Billing, unassigned, created 03-03 12:00;
/// 5 General/Alice created 02-28 22:30 (03-01 at +02:00);
/// 6 Billing, unassigned, created 03-04 00:00 (03-03 at -01:00);
/// 7 General/Alice created and closed 02-20, outside every range below.
/// Ratings: ticket 2 five stars at 03-02 02:00; ticket 7 three stars at 03-03 23:30 (03-04 at
/// +02:00); ticket 3 (Bob) asked and never answered. So Alice has 2 ratings, mean 4.0; Bob none.
pub(crate) async fn history(app: &TestApp) -> History {
    let db = app.db().await;
    let alice = app
        .add_agent("alice", switchboard::domain::Role::Agent, &["General"])
        .await;
    let billing = app.add_department(BILLING).await;
    let bob = app
        .add_agent("bob", switchboard::domain::Role::Agent, &[BILLING])
        .await;
    let general = switchboard::store::departments::find_by_name(&db, "General")
        .await
        .expect("reading departments")
        .expect("General exists")
        .id;
    let tickets = [
        (
            general,
            Some(alice),
            "2026-03-01T10:00:00Z",
            Some("2026-03-01T10:01:30Z"),
            None,
        ),
        (
            general,
            Some(alice),
            "2026-03-01T23:30:00Z",
            Some("2026-03-01T23:35:00Z"),
            Some("2026-03-02T01:30:00Z"),
        ),
        (
            billing,
            Some(bob),
            "2026-03-02T08:00:00Z",
            Some("2026-03-02T08:10:00Z"),
            Some("2026-03-03T08:00:00Z"),
        ),
        (billing, None, "2026-03-03T12:00:00Z", None, None),
        (general, Some(alice), "2026-02-28T22:30:00Z", None, None),
        (billing, None, "2026-03-04T00:00:00Z", None, None),
        (
            general,
            Some(alice),
            "2026-02-20T09:00:00Z",
            Some("2026-02-20T09:01:00Z"),
            Some("2026-02-20T10:00:00Z"),
        ),
    ];
    let ratings = [
        (1, Some(5), Some("2026-03-02T02:00:00Z")),
        (6, Some(3), Some("2026-03-03T23:30:00Z")),
        (2, None, None),
    ];
    for (n, (department, owner, created, reply, closed)) in tickets.into_iter().enumerate() {
        let s = Seed {
            department,
            owner,
            created,
            reply,
            closed,
        };
        let ids = seed(&db, n as i64, s).await;
        for (_, stars, rated) in ratings.iter().filter(|(i, _, _)| *i == n) {
            rate(&db, ids, &s, *stars, *rated).await;
        }
    }
    History {
        general,
        billing,
        alice,
        bob,
    }
}

fn figures(
    created: i64,
    closed: i64,
    responded: i64,
    first_response: Option<i64>,
    resolution: Option<i64>,
) -> Figures {
    Figures {
        created,
        closed,
        responded,
        first_response_seconds: first_response,
        resolution_seconds: resolution,
        ratings: 0,
        rating_average: None,
    }
}

/// `figures` with `count` ratings of mean `average` stars.
fn rated(figures: Figures, count: i64, average: f64) -> Figures {
    Figures {
        ratings: count,
        rating_average: Some(average),
        ..figures
    }
}

async fn report(session: &Session, query: &str) -> Report {
    session.get_json(&format!("/api/reports?{query}")).await
}

async fn report_figures_match_a_seeded_history_per_day_department_and_agent(backend: Backend) {
    let app = spawn_app(backend).await;
    let h = history(&app).await;
    app.add_agent("sam", switchboard::domain::Role::Supervisor, &[])
        .await;
    let sam = app.login("sam").await;

    let utc = report(&sam, "from=2026-03-01&to=2026-03-03").await;
    assert_eq!(utc.tz, "+00:00");
    assert_eq!(
        utc.total,
        rated(figures(4, 2, 3, Some(330), Some(46_800)), 2, 4.0),
        "{utc:#?}"
    );
    let days: Vec<(&str, Figures)> = utc
        .days
        .iter()
        .map(|d| (d.date.as_str(), d.figures.clone()))
        .collect();
    assert_eq!(
        days,
        [
            ("2026-03-01", figures(2, 0, 2, Some(195), None)),
            (
                "2026-03-02",
                rated(figures(1, 1, 1, Some(600), Some(7_200)), 1, 5.0)
            ),
            (
                "2026-03-03",
                rated(figures(1, 1, 0, None, Some(86_400)), 1, 3.0)
            ),
        ]
    );
    let departments: Vec<(DepartmentId, &str, Figures)> = utc
        .departments
        .iter()
        .map(|d| (d.id, d.name.as_str(), d.figures.clone()))
        .collect();
    assert_eq!(
        departments,
        [
            (
                h.billing,
                BILLING,
                figures(2, 1, 1, Some(600), Some(86_400))
            ),
            (
                h.general,
                "General",
                rated(figures(2, 1, 2, Some(195), Some(7_200)), 2, 4.0)
            ),
        ]
    );
    let agents: Vec<(Option<AgentId>, Option<&str>, Figures)> = utc
        .agents
        .iter()
        .map(|a| (a.id, a.name.as_deref(), a.figures.clone()))
        .collect();
    assert_eq!(
        agents,
        [
            (
                Some(h.alice),
                Some("Alice"),
                rated(figures(2, 1, 2, Some(195), Some(7_200)), 2, 4.0)
            ),
            (
                Some(h.bob),
                Some("Bob"),
                figures(1, 1, 1, Some(600), Some(86_400))
            ),
            (None, None, figures(1, 0, 0, None, None)),
        ]
    );

    // At +02:00 the days start two hours earlier: ticket 5 joins 1 March, ticket 2 moves to 2 March,
    // and ticket 7's rating to 4 March, out of the range.
    let east = report(&sam, "from=2026-03-01&to=2026-03-03&tz=%2B02:00").await;
    assert_eq!(east.tz, "+02:00");
    let days: Vec<Figures> = east.days.iter().map(|d| d.figures.clone()).collect();
    assert_eq!(
        days,
        [
            figures(2, 0, 1, Some(90), None),
            rated(figures(2, 1, 2, Some(450), Some(7_200)), 1, 5.0),
            figures(1, 1, 0, None, Some(86_400)),
        ]
    );
    assert_eq!(
        east.total,
        rated(figures(5, 2, 3, Some(330), Some(46_800)), 1, 5.0)
    );
    // An unencoded `+` arrives as a space and means the same.
    let spaced = report(&sam, "from=2026-03-01&to=2026-03-03&tz=+02:00").await;
    assert_eq!(spaced.total, east.total);

    // A day's end is exclusive: ticket 6 (00:00 on 4 March UTC) is 3 March only west of UTC.
    let last_utc = report(&sam, "from=2026-03-03&to=2026-03-03").await;
    assert_eq!(
        last_utc.total,
        rated(figures(1, 1, 0, None, Some(86_400)), 1, 3.0)
    );
    let last_west = report(&sam, "from=2026-03-03&to=2026-03-03&tz=-01:00").await;
    assert_eq!(
        last_west.total,
        rated(figures(2, 1, 0, None, Some(86_400)), 1, 3.0)
    );
    let next_day = report(&sam, "from=2026-03-04&to=2026-03-04").await;
    assert_eq!(next_day.total.created, 1);

    // Filters.
    let billing = report(
        &sam,
        &format!("from=2026-03-01&to=2026-03-03&department={}", h.billing),
    )
    .await;
    // Bob was asked to rate ticket 3 and never answered: no ratings, no mean.
    assert_eq!(billing.total, figures(2, 1, 1, Some(600), Some(86_400)));
    assert_eq!(billing.departments.len(), 1);
    let bob = utc
        .agents
        .iter()
        .find(|a| a.id == Some(h.bob))
        .expect("Bob");
    assert_eq!((bob.figures.ratings, bob.figures.rating_average), (0, None));
    let alice = report(
        &sam,
        &format!("from=2026-03-01&to=2026-03-03&agent={}", h.alice),
    )
    .await;
    assert_eq!(
        alice.total,
        rated(figures(2, 1, 2, Some(195), Some(7_200)), 2, 4.0)
    );
    let bob_only = report(
        &sam,
        &format!("from=2026-03-01&to=2026-03-03&agent={}", h.bob),
    )
    .await;
    assert_eq!(bob_only.total, figures(1, 1, 1, Some(600), Some(86_400)));
    assert_eq!(alice.agents.len(), 1);

    // An empty range has every day, with nothing in it.
    let empty = report(&sam, "from=2025-01-01&to=2025-01-31").await;
    assert_eq!(empty.days.len(), 31);
    assert_eq!(empty.total, Figures::default());
    assert!(empty.departments.is_empty() && empty.agents.is_empty());
}

async fn reports_are_for_supervisors_and_admins_and_refuse_bad_ranges(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    app.add_agent("sam", switchboard::domain::Role::Supervisor, &[])
        .await;
    let sam = app.login("sam").await;
    let root = app.admin("root").await;
    let query = "/api/reports?from=2026-03-01&to=2026-03-03";

    assert_eq!(alice.get(query).await.status, 403);
    assert_eq!(sam.get(query).await.status, 200);
    assert_eq!(root.get(query).await.status, 200);
    let anonymous = reqwest::get(format!("{}{query}", app.address))
        .await
        .expect("a response");
    assert_eq!(anonymous.status(), 401);

    for bad in [
        "to=2026-03-03",
        "from=2026-03-01",
        "from=2026-03-03&to=2026-03-01",
        "from=2025-01-01&to=2026-01-02",
        "from=2026-02-30&to=2026-03-01",
        "from=2026-03-01&to=2026-03-03&tz=Mars/Olympus",
        "from=2026-03-01&to=2026-03-03&format=xml",
        "from=2026-03-01&to=2026-03-03&department=abc",
    ] {
        let reply = sam.get(&format!("/api/reports?{bad}")).await;
        assert_eq!(reply.status, 422, "{bad}: {:?}", reply.body);
        assert_eq!(reply.error().error, "invalid", "{bad}");
    }
    // 366 days is the longest range.
    assert_eq!(
        sam.get("/api/reports?from=2025-01-01&to=2026-01-01")
            .await
            .status,
        200
    );
}

async fn the_csv_report_quotes_names_and_defuses_formulas(backend: Backend) {
    let app = spawn_app(backend).await;
    let h = history(&app).await;
    let root = app.admin("root").await;
    let (status, headers, body) = root
        .get_bytes("/api/reports?from=2026-03-01&to=2026-03-03&format=csv")
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/csv; charset=utf-8")
    );
    assert!(
        headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment;")),
    );
    let csv = String::from_utf8(body).expect("UTF-8");
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "section,date,department_id,department,agent_id,agent,created,closed,responded,first_response_mean_seconds,resolution_mean_seconds,ratings,rating_mean"
    );
    assert_eq!(lines[1], "total,,,,,,4,2,3,330,46800,2,4.00");
    assert_eq!(lines[2], "day,2026-03-01,,,,,2,0,2,195,,0,");
    assert_eq!(lines[3], "day,2026-03-02,,,,,1,1,1,600,7200,1,5.00");
    assert!(
        lines.contains(
            &format!(
                "department,,{},\"'=Billing, \"\"Gold\"\"\",,,2,1,1,600,86400,0,",
                h.billing
            )
            .as_str()
        ),
        "{csv}"
    );
    assert!(
        lines.contains(&format!("agent,,,,{},Alice,2,1,2,195,7200,2,4.00", h.alice).as_str()),
        "{csv}"
    );
    assert!(
        lines.contains(&"agent,,,,,(unassigned),1,0,0,,,0,"),
        "{csv}"
    );
    let _ = h.bob;
    let _ = h.general;
}

crate::backend_tests!(
    report_figures_match_a_seeded_history_per_day_department_and_agent,
    reports_are_for_supervisors_and_admins_and_refuse_bad_ranges,
    the_csv_report_quotes_names_and_defuses_formulas,
);
