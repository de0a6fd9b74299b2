//! Setting up agents and departments: the database decides who gets a login or a name.

use futures_util::future::join_all;
use switchboard::{
    domain::Role,
    service::{NewAgentInput, Service, ServiceError},
};

use crate::support::{Backend, Session, password_of, spawn_app};

/// How many administrators add the same login at the same moment.
const RACERS: usize = 8;

async fn of_concurrent_adds_of_one_login_one_succeeds_and_the_others_hear_it_is_taken(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let db = app.db().await;
    let password = password_of("dana");
    let departments = vec!["General".to_owned()];

    let results = join_all((0..RACERS).map(|i| {
        let db = db.clone();
        let (password, departments) = (password.clone(), departments.clone());
        async move {
            Service::add_agent(
                &db,
                NewAgentInput {
                    login: "dana",
                    name: &format!("Dana {i}"),
                    password: &password,
                    role: Role::Agent,
                    departments: &departments,
                },
            )
            .await
        }
    }))
    .await;

    let created: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(created.len(), 1, "exactly one add wins: {results:?}");
    for refusal in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(refusal, ServiceError::Conflict(_)),
            "a lost race is a clear conflict, not a database error: {refusal:?}"
        );
        assert_eq!(refusal.to_string(), "login \"dana\" is taken");
    }
    let dana = Session::login(&app.address, &app.origin, "dana", &password).await;
    assert_eq!(dana.id(), *created[0]);
}

async fn a_department_name_is_given_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = app.db().await;
    let results = join_all((0..RACERS).map(|_| Service::add_department(&db, "Billing"))).await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    for refusal in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(refusal.to_string(), "department \"Billing\" exists already");
    }
}

crate::backend_tests!(
    of_concurrent_adds_of_one_login_one_succeeds_and_the_others_hear_it_is_taken,
    a_department_name_is_given_once
);
