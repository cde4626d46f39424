//! Browser journeys: headless Chromium drives the built SPA served by the real server
//! binary, one fresh server and browser per test, with an axe-core audit of every page.

mod delegate;
mod guardian;
mod login_errors;
mod payments;

use e2e::browser::Browser;
use e2e::TestServer;
use tokio::sync::Semaphore;

/// At most two servers and browsers at once: more only slows a 2-core machine down.
static BROWSERS: Semaphore = Semaphore::const_new(2);

/// Runs `journey` against a fresh server with the demo data, in a fresh browser.
async fn journey(journey: impl AsyncFnOnce(&Browser)) {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let server = TestServer::start().await;
    Browser::run(&server.url, journey).await;
}

/// Logs in on `/demo/accedi` with codice fiscale and the demo password and waits for the
/// personal area, auditing both pages.
async fn password_login(browser: &Browser, fiscal_code: &str) {
    browser.goto("/demo/accedi").await;
    browser.find("#login-fiscal-code").await;
    browser.assert_accessible("the login page").await;
    browser.fill("#login-fiscal-code", fiscal_code).await;
    browser.fill("#login-password", e2e::DEMO_PASSWORD).await;
    browser.click("#login-submit").await;
    browser.wait_for_path("/demo/area-personale").await;
    browser.find("#greeting").await;
    browser.assert_accessible("the personal area").await;
}
