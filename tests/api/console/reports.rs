//! The Reports dialog in a real browser: a supervisor opens it on the seeded history of
//! tests/api/reports.rs and sees the totals with the ratings (2 ratings, 4.00 stars), the stars
//! line's dots on the chart, a department whose name looks like a formula as text, and a CSV link
//! for the same range.

use switchboard::domain::Role;

use super::{click, eval, logged_in_console, step};
use crate::support::{Backend, browser::Browser, skip_or_fail, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_sees_tickets_times_and_ratings_in_the_reports_dialog() {
    let Some(browser) = Browser::launch().await.expect("launching Chromium") else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    crate::reports::history(&app).await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    let sam = logged_in_console(&browser, &app.address, "sam").await;

    click(&sam, "opening Reports", "#reports-button").await;
    step(
        &sam,
        "the dialog shows a report",
        "document.querySelector('#reports-dialog').open && document.querySelector('[data-testid=report-total]')",
    )
    .await;
    // Whatever the browser's offset, 28 February to 5 March holds every seeded rating.
    sam.eval(
        "(document.querySelector('#reports-from').value = '2026-02-28', \
          document.querySelector('#reports-to').value = '2026-03-05', true)",
    )
    .await
    .expect("choosing the dates");
    click(&sam, "showing the report", "[data-testid=reports-show]").await;
    step(
        &sam,
        "the totals count the ratings",
        "(() => { const cells = [...document.querySelectorAll('[data-testid=report-total] td')].map((c) => c.textContent); \
           return cells.length === 7 && cells[5] === '2' && cells[6] === '4.00'; })()",
    )
    .await;
    let dots = eval(
        &sam,
        "counting the stars dots",
        "document.querySelectorAll('#reports-chart circle.stars-dot').length",
    )
    .await;
    assert_eq!(dots, 2, "one dot per rated day");
    let rows = eval(
        &sam,
        "reading the department and agent rows",
        "[...document.querySelectorAll('[data-testid=report-department] th, [data-testid=report-agent] th')].map((c) => c.textContent)",
    )
    .await;
    let rows: Vec<String> = serde_json::from_value(rows).expect("names");
    assert!(
        rows.contains(&crate::reports::BILLING.to_owned()),
        "{rows:?}"
    );
    let bob = eval(
        &sam,
        "reading Bob's ratings",
        "(() => { const row = [...document.querySelectorAll('[data-testid=report-agent]')].find((r) => r.textContent.includes('Bob')); \
           return [...row.querySelectorAll('td')].slice(5).map((c) => c.textContent); })()",
    )
    .await;
    assert_eq!(bob, serde_json::json!(["0", "–"]), "Bob was never rated");
    let csv = eval(
        &sam,
        "reading the CSV link",
        "document.querySelector('[data-testid=reports-csv]').getAttribute('href')",
    )
    .await;
    let csv = csv.as_str().expect("a link");
    assert!(
        csv.contains("from=2026-02-28")
            && csv.contains("to=2026-03-05")
            && csv.contains("format=csv"),
        "{csv}"
    );
}
