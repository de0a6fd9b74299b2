//! Old rows are pruned: events past the retention window and Telegram update ids past the time
//! Telegram could deliver them again, in batches; recent ones stay.

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use switchboard::{
    domain::{DepartmentId, UpdateId},
    retention::{self, Retention},
    store::entity::{event, telegram_update},
};
use tokio_util::sync::CancellationToken;

use crate::support::{Backend, customer, spawn_app};

async fn old_events_and_update_ids_are_pruned_and_recent_ones_stay(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let ticket = app
        .customer_opens_ticket(&customer(8001, "Ann"), "hello")
        .await;
    let view: serde_json::Value = alice.get_json(&format!("/api/tickets/{ticket}")).await;
    let department = DepartmentId(view["department"]["id"].as_i64().expect("a department"));
    let db = app.db().await;
    let recent_events = event::Entity::find().count(&db).await.expect("counting");
    let recent_updates = telegram_update::Entity::find()
        .count(&db)
        .await
        .expect("counting");
    assert!(recent_events > 0 && recent_updates > 0);

    // 2,500 events of eight days ago and 1,500 update ids of three days ago: more than one batch.
    let old = Utc::now() - chrono::Duration::days(8);
    for chunk in 0..5 {
        let rows: Vec<event::ActiveModel> = (0..500)
            .map(|n| event::ActiveModel {
                kind: Set("message_created".to_owned()),
                department_id: Set(department),
                ticket_id: Set(None),
                payload: Set(format!("{{\"old\":{}}}", chunk * 500 + n)),
                created_at: Set(old),
                ..Default::default()
            })
            .collect();
        event::Entity::insert_many(rows)
            .exec_without_returning(&db)
            .await
            .expect("old events");
    }
    let received = Utc::now() - chrono::Duration::days(3);
    for chunk in 0..3 {
        let rows: Vec<telegram_update::ActiveModel> = (0..500)
            .map(|n| telegram_update::ActiveModel {
                update_id: Set(UpdateId(-1_000_000 + chunk * 500 + n)),
                received_at: Set(received),
            })
            .collect();
        telegram_update::Entity::insert_many(rows)
            .exec_without_returning(&db)
            .await
            .expect("old update ids");
    }

    let pruned = retention::prune(&db, Retention::default(), &CancellationToken::new())
        .await
        .expect("pruning");
    assert_eq!((pruned.events, pruned.updates), (2_500, 1_500));
    // The recent rows stay (the outbox may have added an event meanwhile).
    let events_left = event::Entity::find().count(&db).await.expect("counting");
    assert!(
        events_left >= recent_events,
        "{events_left} < {recent_events}"
    );
    let updates_left = telegram_update::Entity::find()
        .count(&db)
        .await
        .expect("counting");
    assert!(
        updates_left >= recent_updates,
        "{updates_left} < {recent_updates}"
    );
    let old_left = event::Entity::find()
        .filter(event::Column::CreatedAt.lt(Utc::now() - chrono::Duration::days(7)))
        .count(&db)
        .await
        .expect("counting");
    assert_eq!(old_left, 0);

    // Ingest goes on after pruning.
    app.customer_opens_ticket(&customer(8002, "Bea"), "still here")
        .await;
}

crate::backend_tests!(old_events_and_update_ids_are_pruned_and_recent_ones_stay);
