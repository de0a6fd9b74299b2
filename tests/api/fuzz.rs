//! Arbitrary JSON bodies to every route, as an admin with a valid Origin: random shapes, NUL
//! strings, huge numbers, deep nesting, wrong types. No answer may be a 500 (PostgreSQL refuses
//! NUL in text: without the door's check, a NUL reaching the database is a 500 there).

use reqwest::Method;
use serde_json::{Value, json};
use switchboard::domain::Role;

use crate::support::{Backend, customer, spawn_app};

/// A small deterministic generator (xorshift64*), so a failure can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The field names the API's bodies use, so that many generated bodies get past decoding.
const FIELDS: &[&str] = &[
    "text",
    "reason",
    "comment",
    "department_id",
    "agent_id",
    "note",
    "expected",
    "owner_id",
    "name",
    "label",
    "slug",
    "open",
    "position",
    "login",
    "password",
    "presence",
];

fn string(rng: &mut Rng) -> String {
    match rng.below(9) {
        0 => "a\u{0}b".to_owned(),
        1 => "\u{0}".to_owned(),
        2 => String::new(),
        3 => "x".repeat(rng.below(20_000) as usize),
        4 => "Maria\u{202e} \u{1F600} \u{FFFD}".to_owned(),
        5 => "resolved".to_owned(),
        6 => "online".to_owned(),
        7 => "'; DROP TABLE tickets; --".to_owned(),
        _ => format!("s{}", rng.next()),
    }
}

fn number(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0 => json!(0),
        1 => json!(-1),
        2 => json!(i64::MAX),
        3 => json!(u64::MAX),
        4 => json!(1e308),
        5 => json!(1.5),
        6 => json!(i64::MIN),
        _ => json!(rng.below(5) + 1),
    }
}

fn value(rng: &mut Rng, depth: u32) -> Value {
    let choice = if depth > 4 {
        rng.below(5)
    } else {
        rng.below(8)
    };
    match choice {
        0 => Value::Null,
        1 => json!(rng.below(2) == 0),
        2 | 3 => number(rng),
        4 => Value::String(string(rng)),
        5 => Value::Array((0..rng.below(4)).map(|_| value(rng, depth + 1)).collect()),
        _ => object(rng, depth + 1),
    }
}

fn object(rng: &mut Rng, depth: u32) -> Value {
    let mut map = serde_json::Map::new();
    for _ in 0..rng.below(6) {
        let key = if rng.below(8) == 0 {
            string(rng)
        } else {
            (*rng.pick(FIELDS)).to_owned()
        };
        map.insert(key, value(rng, depth));
    }
    Value::Object(map)
}

/// A body nested `depth` arrays deep.
fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

async fn no_body_to_any_route_is_answered_with_a_500(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_agent("root", Role::Admin, &["General"]).await;
    let admin = app.login("root").await;
    let ticket = app
        .customer_opens_ticket(&customer(7701, "Ann"), "hello")
        .await;
    assert_eq!(admin.accept(ticket).await.status, 200);
    let client: Value = admin.get_json(&format!("/api/tickets/{ticket}")).await;
    let client_id = client["client"]["id"]
        .as_i64()
        .expect("the ticket's client id");
    let note = admin
        .post(
            &format!("/api/clients/{client_id}/notes"),
            json!({"text": "a note"}),
        )
        .await
        .expect::<Value>(201);
    let note_id = note["id"].as_i64().expect("the note's id");

    let routes: Vec<(Method, String)> = vec![
        (Method::POST, "/api/session".to_owned()),
        (Method::GET, "/api/session".to_owned()),
        (Method::GET, "/api/tickets".to_owned()),
        (Method::GET, format!("/api/tickets/{ticket}")),
        (Method::GET, format!("/api/tickets/{ticket}/messages")),
        (Method::POST, format!("/api/tickets/{ticket}/messages")),
        (Method::POST, format!("/api/tickets/{ticket}/accept")),
        (Method::POST, format!("/api/tickets/{ticket}/close")),
        (Method::POST, format!("/api/tickets/{ticket}/return")),
        (Method::GET, format!("/api/tickets/{ticket}/timeline")),
        (Method::POST, format!("/api/tickets/{ticket}/reassign")),
        (Method::GET, format!("/api/clients/{client_id}/notes")),
        (Method::POST, format!("/api/clients/{client_id}/notes")),
        (Method::PATCH, format!("/api/notes/{note_id}")),
        (Method::GET, "/api/agents".to_owned()),
        (Method::PUT, "/api/presence".to_owned()),
        (Method::GET, "/api/departments".to_owned()),
        (Method::POST, "/api/departments".to_owned()),
        (Method::PATCH, "/api/departments/1".to_owned()),
        (Method::GET, "/healthz".to_owned()),
        (
            Method::POST,
            "/api/tickets/99999999999999999999/accept".to_owned(),
        ),
        (Method::DELETE, format!("/api/notes/{note_id}")),
    ];
    // No kept-alive connections: one the server closes as idle just as the next request goes out
    // would fail that request for a reason that has nothing to do with its body.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("an HTTP client");
    let mut rng = Rng(0x5EED_0000_0000_0001 ^ backend_seed(&app.backend));
    let mut answered = 0;
    for (method, path) in &routes {
        // Every field the routes read, each holding a NUL: the case that must be refused.
        let all_nul = Value::Object(
            FIELDS
                .iter()
                .map(|f| ((*f).to_owned(), json!("bad\u{0}text")))
                .collect(),
        );
        let mut bodies: Vec<String> = vec![
            all_nul.to_string(),
            json!({"text": "\u{0}"}).to_string(),
            json!({"name": "N\u{0}", "label": "L", "slug": "s"}).to_string(),
            nested(100),
            nested(5_000),
            "{\"text\": ".to_owned(),
            "\"\\u0000\"".to_owned(),
            "[1e99999]".to_owned(),
        ];
        for _ in 0..30 {
            bodies.push(if rng.below(3) == 0 {
                value(&mut rng, 0).to_string()
            } else {
                object(&mut rng, 0).to_string()
            });
        }
        for body in bodies {
            let response = http
                .request(method.clone(), format!("{}{path}", app.address))
                .header("Origin", &admin.origin)
                .header("Cookie", &admin.cookie)
                .header("Content-Type", "application/json")
                .body(body.clone())
                .send()
                .await
                .expect("an answer");
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            assert!(
                !status.is_server_error(),
                "{method} {path} with {:.300} answered {status}: {text}",
                body
            );
            if status.is_client_error() {
                let shape: Value = serde_json::from_str(&text)
                    .unwrap_or_else(|_| panic!("{method} {path}: not JSON: {text:.300}"));
                assert!(
                    shape["error"].is_string() && shape["message"].is_string(),
                    "{method} {path}: {text:.300}"
                );
            }
            answered += 1;
        }
    }
    assert!(answered > 700, "{answered} requests");
    // The server is still well.
    assert_eq!(admin.get("/api/session").await.status, 200);
}

fn backend_seed(backend: &Backend) -> u64 {
    match backend {
        Backend::Sqlite => 1,
        _ => 2,
    }
}

async fn the_cli_door_refuses_nul_in_agent_and_department_text(backend: Backend) {
    use switchboard::service::{DepartmentInput, NewAgentInput, Service, ServiceError};
    let app = spawn_app(backend).await;
    let db = app.db().await;
    let departments = ["General".to_owned()];
    for (login, name, password) in [
        ("a\u{0}b", "Ann", "secret1"),
        ("ann", "A\u{0}nn", "secret1"),
        ("ann", "Ann", "sec\u{0}ret"),
    ] {
        let refused = Service::add_agent(
            &db,
            NewAgentInput {
                login,
                name,
                password,
                role: Role::Agent,
                departments: &departments,
            },
        )
        .await;
        assert!(
            matches!(refused, Err(ServiceError::Invalid(_))),
            "{login:?} {name:?}: {refused:?}"
        );
    }
    let refused = Service::add_department_with(
        &db,
        DepartmentInput {
            name: "Bil\u{0}ling".to_owned(),
            ..Default::default()
        },
    )
    .await;
    assert!(
        matches!(refused, Err(ServiceError::Invalid(_))),
        "{refused:?}"
    );
    let refused = Service::find_department(&db, "x\u{0}").await;
    assert!(matches!(refused, Err(ServiceError::Invalid(_))));
}

crate::backend_tests!(
    no_body_to_any_route_is_answered_with_a_500,
    the_cli_door_refuses_nul_in_agent_and_department_text,
);
