//! The schedules of the jobs the server runs on its own: charging the meals of the last
//! closed school days (`canteen::charging`), and withdrawing the notices of online
//! payment attempts that ended without payment (`payments::notices`). Safe with several
//! replicas: both are idempotent in the database. When the server stops, a run under way
//! finishes and no new one starts.

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use crate::canteen::charging::charge_recent_days;
use crate::error::ApiResult;
use crate::payments::notices::cancel_abandoned;
use crate::startup::AppState;
use actix_web::rt::task::JoinHandle;
use tokio::sync::watch;

/// How often the closed days are charged.
const CHARGE_EVERY: Duration = Duration::from_secs(15 * 60);
/// How often abandoned online payment attempts are looked for.
const ABANDONED_EVERY: Duration = Duration::from_secs(5 * 60);

/// Starts the jobs the configuration asks for; they run until `stopping` turns true.
pub fn start(state: &AppState, stopping: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    let mut jobs = Vec::new();
    if state.config.charge_job {
        let (db, clock) = (state.db.clone(), state.clock.clone());
        jobs.push(actix_web::rt::spawn(every(
            CHARGE_EVERY,
            "meal charging",
            stopping.clone(),
            move || {
                let (db, now) = (db.clone(), clock.now());
                async move { charge_recent_days(&db, now).await }
            },
        )));
    }
    if let Some(gateway) = state.gateway.clone() {
        let (db, clock) = (state.db.clone(), state.clock.clone());
        jobs.push(actix_web::rt::spawn(every(
            ABANDONED_EVERY,
            "cancelling abandoned online notices",
            stopping,
            move || {
                let (db, gateway, now) = (db.clone(), gateway.clone(), clock.now());
                async move { cancel_abandoned(&db, gateway.as_ref(), now, None).await }
            },
        )));
    }
    jobs
}

/// Runs `run` now and then every `period`, logging how many records it handled (when
/// any) or why it failed, until `stopping` turns true: it is checked only between runs, so
/// a run under way always finishes.
async fn every<F, Fut, N>(
    period: Duration,
    job: &'static str,
    mut stopping: watch::Receiver<bool>,
    mut run: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = ApiResult<N>>,
    N: Display + Default + PartialEq,
{
    loop {
        match run().await {
            Ok(count) if count == N::default() => {}
            Ok(count) => tracing::info!(job, %count, "job done"),
            Err(err) => tracing::error!(job, %err, "job failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(period) => {}
            _ = stopping.wait_for(|stop| *stop) => return,
        }
    }
}
