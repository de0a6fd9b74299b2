//! The Admin page in a real browser: an admin creates an agent with the form, the agent logs in
//! in a second browser, and when the admin disables them their open console shows the login at
//! once (the periodic session re-check is an hour here: only the admin's change can do it). The
//! Admin button is shown to admins only.

use switchboard::domain::Role;

use super::{click, eval, logged_in_console, step, type_into};
use crate::{
    administration::spawn_app_without_periodic_recheck,
    support::{Backend, browser::Browser, password_of, skip_or_fail},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_creates_an_agent_who_logs_in_and_disabling_them_closes_their_console_at_once() {
    let (Some(admin_browser), Some(agent_browser)) = (
        Browser::launch().await.expect("launching Chromium"),
        Browser::launch().await.expect("launching Chromium"),
    ) else {
        skip_or_fail(
            "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        );
        return;
    };
    let app = spawn_app_without_periodic_recheck(Backend::Sqlite).await;
    app.add_agent("root", Role::Admin, &[]).await;
    let root = logged_in_console(&admin_browser, &app.address, "root").await;

    click(&root, "opening the Admin page", "#admin-button").await;
    step(
        &root,
        "the Agents tab lists root",
        "document.querySelector('#admin-dialog').open && \
         document.querySelector('[data-testid=admin-agent][data-login=root]')",
    )
    .await;
    type_into(
        &root,
        "typing the login",
        "[data-testid=agent-login]",
        "dana",
    )
    .await;
    type_into(
        &root,
        "typing the name",
        "[data-testid=agent-name]",
        "Dana Scully",
    )
    .await;
    type_into(
        &root,
        "typing the password",
        "[data-testid=agent-password]",
        &password_of("dana"),
    )
    .await;
    click(
        &root,
        "ticking General",
        "[data-testid=agent-departments] input[type=checkbox]",
    )
    .await;
    click(&root, "creating the agent", "[data-testid=agent-create]").await;
    step(
        &root,
        "dana is listed, enabled",
        "document.querySelector('[data-testid=admin-agent][data-login=dana][data-active=true]')",
    )
    .await;

    let dana = logged_in_console(&agent_browser, &app.address, "dana").await;
    let admin_button_hidden = eval(
        &dana,
        "looking for the Admin button",
        "document.querySelector('#admin-button').hidden",
    )
    .await;
    assert_eq!(
        admin_button_hidden,
        serde_json::json!(true),
        "agents see no Admin button"
    );

    click(
        &root,
        "disabling dana",
        "[data-testid=admin-agent][data-login=dana] [data-testid=agent-disable]",
    )
    .await;
    step(
        &root,
        "dana is listed as disabled",
        "document.querySelector('[data-testid=admin-agent][data-login=dana][data-active=false]')",
    )
    .await;
    step(
        &dana,
        "dana's console shows the login",
        "!document.querySelector('#login-view').hidden && document.querySelector('#console-view').hidden",
    )
    .await;

    click(
        &root,
        "opening the Audit tab",
        "[data-testid=admin-tab-audit]",
    )
    .await;
    step(
        &root,
        "the audit shows the creation and the disable",
        "document.querySelector('[data-testid=audit-row][data-action=\"agent.disabled\"]') && \
         document.querySelector('[data-testid=audit-row][data-action=\"agent.created\"]')",
    )
    .await;
    if let Ok(dir) = std::env::var("SWITCHBOARD_SCREENSHOTS") {
        let _ = root
            .screenshot(&std::path::Path::new(&dir).join("admin-audit.png"))
            .await;
    }
}
