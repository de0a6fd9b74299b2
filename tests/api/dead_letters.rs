//! Poison updates: an update that cannot be processed for a reason that will not go away (an
//! unreadable shape, a value no database column holds, a value the database refuses) is kept as a
//! dead letter and skipped, so the updates behind it flow, by polling and by webhook alike; admins
//! list the dead letters, and old ones are pruned.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use switchboard::{
    domain::{DeadLetterId, UpdateId},
    retention::{self, Retention},
    store::entity::dead_letter,
    views::DeadLetterView,
};
use tokio_util::sync::CancellationToken;

use crate::support::{
    Backend, TEST_WEBHOOK_SECRET, WAIT, count_rows, customer, message_update, spawn_app,
    spawn_webhook_app,
};

/// A message whose sender's id no 64-bit column holds.
fn out_of_range_sender() -> Value {
    json!({"message": {
        "message_id": 3, "date": 1_700_000_000, "text": "from far away",
        "chat": {"id": 42, "type": "private", "first_name": "Far"},
        "from": {"id": u64::MAX, "is_bot": false, "first_name": "Far"},
    }})
}

/// A message PostgreSQL refuses: a language code longer than its column.
fn overlong_language() -> Value {
    json!({"message": {
        "message_id": 4, "date": 1_700_000_000, "text": "in a long language",
        "chat": {"id": 4343, "type": "private", "first_name": "Lang"},
        "from": {"id": 4343, "is_bot": false, "first_name": "Lang", "language_code": "x".repeat(40)},
    }})
}

async fn poison_updates_in_polling_are_dead_lettered_and_the_next_message_still_opens_a_ticket(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let root = app.admin("root").await;
    let alice = app.agent("alice").await;
    let unreadable = app.telegram.push_raw_update(json!({
        "message": {"message_id": "not a number", "chat": "nowhere", "text": "lost"}
    }));
    let far = app.telegram.push_raw_update(out_of_range_sender());
    let postgres = matches!(app.backend, Backend::Postgres(_));
    let refused = postgres.then(|| app.telegram.push_raw_update(overlong_language()));
    let ticket = app
        .customer_opens_ticket(&customer(9401, "Ann"), "after the poison")
        .await;
    let last = refused.unwrap_or(far);
    assert!(app.telegram.wait_confirmed(last, WAIT).await);

    let letters: Vec<DeadLetterView> = root.get_json("/api/dead-letters").await;
    let mut expected = vec![unreadable, far];
    expected.extend(refused);
    expected.reverse();
    let ids: Vec<Option<UpdateId>> = letters.iter().map(|l| l.update_id).collect();
    assert_eq!(ids, expected.into_iter().map(Some).collect::<Vec<_>>());
    let by_id = |id: UpdateId| {
        letters
            .iter()
            .find(|l| l.update_id == Some(id))
            .expect("a dead letter")
    };
    assert!(by_id(far).error.contains("out of range"), "{letters:?}");
    assert!(by_id(far).raw.contains("from far away"));
    assert!(by_id(unreadable).raw.contains("not a number"));
    if let Some(refused) = refused {
        assert!(by_id(refused).error.contains("database"), "{letters:?}");
    }
    let messages: Vec<Value> = alice
        .get_json(&format!("/api/tickets/{ticket}/messages"))
        .await;
    assert_eq!(messages[0]["text"], "after the poison");
    assert_eq!(count_rows(&app.db().await, "tickets").await, 1);

    // Agents (and supervisors) may not see them.
    assert_eq!(alice.get("/api/dead-letters").await.status, 403);
}

async fn poison_updates_by_webhook_are_answered_200_and_dead_lettered(backend: Backend) {
    let app = spawn_webhook_app(backend).await;
    let root = app.admin("root").await;
    let postgres = matches!(app.backend, Backend::Postgres(_));
    let mut poison = vec![
        json!({"update_id": 600, "message": {"message_id": "x", "chat": "nowhere"}}),
        {
            let mut far = out_of_range_sender();
            far["update_id"] = json!(601);
            far
        },
    ];
    if postgres {
        let mut refused = overlong_language();
        refused["update_id"] = json!(602);
        poison.push(refused);
    }
    for update in &poison {
        assert_eq!(
            app.post_update(update.to_string(), Some(TEST_WEBHOOK_SECRET))
                .await,
            200,
            "{update}"
        );
    }
    // Telegram posting it again changes nothing.
    assert_eq!(
        app.post_update(poison[0].to_string(), Some(TEST_WEBHOOK_SECRET))
            .await,
        200
    );
    // Not even JSON: kept without an update id.
    assert_eq!(
        app.post_update("{not json", Some(TEST_WEBHOOK_SECRET))
            .await,
        200
    );
    let ann = customer(9402, "Ann");
    let body = message_update(700, &ann, 1, "after the poison").to_string();
    assert_eq!(app.post_update(body, Some(TEST_WEBHOOK_SECRET)).await, 200);
    assert_eq!(count_rows(&app.db().await, "tickets").await, 1);

    let letters: Vec<DeadLetterView> = root.get_json("/api/dead-letters").await;
    assert_eq!(letters.len(), poison.len() + 1, "{letters:?}");
    assert_eq!(letters[0].update_id, None);
    assert!(letters[0].raw.contains("{not json"));
    assert!(letters[0].error.contains("JSON"), "{}", letters[0].error);
    let mut ids: Vec<i64> = letters
        .iter()
        .filter_map(|l| l.update_id)
        .map(|i| i.0)
        .collect();
    ids.sort_unstable();
    let expected: Vec<i64> = (600..600 + poison.len() as i64).collect();
    assert_eq!(ids, expected);
}

async fn dead_letters_are_paged_newest_first_and_old_ones_pruned(backend: Backend) {
    let app = spawn_app(backend).await;
    let root = app.admin("root").await;
    let db = app.db().await;
    let old = Utc::now() - chrono::Duration::days(31);
    for n in 0..5 {
        let created_at = if n < 2 { old } else { Utc::now() };
        dead_letter::ActiveModel {
            update_id: Set(Some(UpdateId(100 + n))),
            raw: Set(format!("{{\"n\":{n}}}")),
            error: Set("unreadable".to_owned()),
            created_at: Set(created_at),
            ..Default::default()
        }
        .insert(&db)
        .await
        .expect("a dead letter");
    }
    let first = root.get("/api/dead-letters?limit=3").await;
    assert_eq!(first.status, 200);
    let page: Vec<DeadLetterView> = first.json();
    let ids: Vec<i64> = page
        .iter()
        .filter_map(|l| l.update_id)
        .map(|i| i.0)
        .collect();
    assert_eq!(ids, vec![104, 103, 102]);
    let next: Vec<DeadLetterView> = root
        .get_json(&format!("/api/dead-letters?limit=3&before={}", page[2].id))
        .await;
    let ids: Vec<i64> = next
        .iter()
        .filter_map(|l| l.update_id)
        .map(|i| i.0)
        .collect();
    assert_eq!(ids, vec![101, 100]);
    assert_eq!(root.get("/api/dead-letters?limit=0").await.status, 422);

    let pruned = retention::prune(&db, Retention::default(), &CancellationToken::new())
        .await
        .expect("pruning");
    assert_eq!(pruned.dead_letters, 2);
    let left: Vec<DeadLetterView> = root.get_json("/api/dead-letters").await;
    assert_eq!(left.len(), 3);
    assert!(left.iter().all(|l| l.id > DeadLetterId(0)));
}

crate::backend_tests!(
    poison_updates_in_polling_are_dead_lettered_and_the_next_message_still_opens_a_ticket,
    poison_updates_by_webhook_are_answered_200_and_dead_lettered,
    dead_letters_are_paged_newest_first_and_old_ones_pruned,
);
