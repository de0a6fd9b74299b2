//! Canned responses: supervisors and admins write them per department, agents read their own
//! departments' ones; shortcuts are checked and unique per department.

use reqwest::Method;
use serde_json::{Value, json};
use switchboard::{domain::Role, views::CannedView};

use crate::support::{Backend, Reply, Session, spawn_app};

async fn create(session: &Session, body: Value) -> Reply {
    session.post("/api/canned", body).await
}

async fn listed(session: &Session, query: &str) -> Vec<String> {
    let canned: Vec<CannedView> = session.get_json(&format!("/api/canned{query}")).await;
    canned.into_iter().map(|c| c.shortcut).collect()
}

async fn canned_responses_are_written_by_supervisors_and_read_by_each_departments_agents(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let general = alice.agent.departments[0].id;
    let billing = app.add_department("Billing").await;
    app.add_agent("bob", Role::Agent, &["Billing"]).await;
    let bob = app.login("bob").await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    let sam = app.login("sam").await;
    let hello = |department| json!({"department_id": department, "shortcut": "hello", "title": "Greeting", "text": "Hello! How can I help?"});

    let refused = create(&alice, hello(general)).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    let greeting: CannedView = create(&sam, hello(general)).await.expect(201);
    assert_eq!(greeting.text, "Hello! How can I help?");
    let duplicate = create(&sam, hello(general)).await;
    assert_eq!(duplicate.status, 409, "{:?}", duplicate.body);
    create(&sam, hello(billing)).await.expect::<CannedView>(201);
    let refund = json!({"department_id": billing, "shortcut": "refund", "title": "Refunds", "text": "Within 5 days."});
    let refund: CannedView = create(&sam, refund).await.expect(201);

    for (what, body) in [
        (
            "bad shortcut",
            json!({"department_id": general, "shortcut": "Hello There", "title": "t", "text": "x"}),
        ),
        (
            "long shortcut",
            json!({"department_id": general, "shortcut": "a".repeat(33), "title": "t", "text": "x"}),
        ),
        (
            "too long text",
            json!({"department_id": general, "shortcut": "long", "title": "t", "text": "x".repeat(4097)}),
        ),
        (
            "blank title",
            json!({"department_id": general, "shortcut": "blank", "title": " ", "text": "x"}),
        ),
        (
            "unknown department",
            json!({"department_id": 999_999, "shortcut": "nowhere", "title": "t", "text": "x"}),
        ),
    ] {
        let reply = create(&sam, body).await;
        assert_eq!(reply.status, 422, "{what}: {:?}", reply.body);
        assert_eq!(reply.error().error, "invalid", "{what}");
    }

    assert_eq!(listed(&alice, "").await, ["hello"]);
    assert_eq!(
        listed(&alice, &format!("?department={general}")).await,
        ["hello"]
    );
    let outside = alice
        .get(&format!("/api/canned?department={billing}"))
        .await;
    assert_eq!(outside.status, 404);
    assert_eq!(listed(&bob, "").await, ["hello", "refund"]);
    assert_eq!(listed(&sam, "").await, ["hello", "hello", "refund"]);
    assert_eq!(listed(&sam, "?limit=1").await, ["hello"]);
    assert_eq!(
        listed(&sam, &format!("?limit=2&after={}", greeting.id)).await,
        ["hello", "refund"]
    );

    let path = format!("/api/canned/{}", refund.id);
    let patch = |s: &Session, body: Value| {
        let (s, path) = (s.clone(), path.clone());
        async move { s.request(Method::PATCH, &path, Some(body)).await }
    };
    assert_eq!(patch(&bob, json!({"text": "now"})).await.status, 403);
    assert_eq!(patch(&sam, json!({"shortcut": "hello"})).await.status, 409);
    let changed: CannedView = patch(&sam, json!({"text": "Within 3 days."}))
        .await
        .expect(200);
    assert_eq!(
        (changed.shortcut.as_str(), changed.text.as_str()),
        ("refund", "Within 3 days.")
    );
    assert_eq!(bob.request(Method::DELETE, &path, None).await.status, 403);
    assert_eq!(sam.request(Method::DELETE, &path, None).await.status, 204);
    assert_eq!(sam.request(Method::DELETE, &path, None).await.status, 404);
    assert_eq!(listed(&bob, "").await, ["hello"]);
}

crate::backend_tests!(
    canned_responses_are_written_by_supervisors_and_read_by_each_departments_agents,
);
