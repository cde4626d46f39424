//! Browser journeys: headless Chromium drives the built SPA served by the real server
//! binary, one fresh server and browser per test, with an axe-core audit of every page.

mod accounts;
mod audit;
mod bookings;
mod canteen;
mod children;
mod contacts;
mod delegate;
mod families;
mod family_edit;
mod form_editor;
mod forms;
mod frame;
mod guardian;
mod integrations;
mod letters;
mod login_errors;
mod low_balance;
mod office;
mod outbox;
mod password;
mod payments;
mod publishing;
mod reconciliation;
mod reminders;
mod reports;
mod rette_batch;
mod review;
mod schools;
mod security;
mod staff;
mod tax_deductions;
mod year_end;

use e2e::browser::Browser;
use e2e::TestServer;
use tokio::sync::Semaphore;

/// At most two servers and browsers at once: more only slows a 2-core machine down.
static BROWSERS: Semaphore = Semaphore::const_new(2);

/// The server's clock for the canteen journeys: Tuesday 24/11/2026, 11:00 in Rome, a
/// school day before Comune di Demo's 15:00 cutoff.
const TUESDAY_MORNING: [(&str, &str); 1] = [("SPORTELLO_FAKE_NOW", "2026-11-24T10:00:00Z")];

/// Runs `journey` against a fresh server with the demo data, in a fresh browser.
async fn journey(journey: impl AsyncFnOnce(&Browser)) {
    journey_with(&[], journey).await;
}

/// Like [`journey`], with the server started with `env` as well (its clock, …).
async fn journey_with(env: &[(&str, &str)], journey: impl AsyncFnOnce(&Browser)) {
    let _slot = BROWSERS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let server = TestServer::start_with(env).await;
    Browser::run(&server.url, journey).await;
}
