//! The schedules of the jobs the server runs on its own: charging the meals of the last
//! closed school days (`canteen::charging`), withdrawing the notices of online payment
//! attempts that ended without payment (`payments::notices`), fetching the receipts of
//! the comuni that use only GPD (`payments::receipt_polling`) and importing the flussi di
//! rendicontazione (`payments::reconciliation`), sending the reminders of debts due
//! (`payments::reminders`, daily), and the outbox's worker delivering messages
//! (`communications::worker`). Safe with several replicas: all are
//! idempotent in the database. When the server stops, a run under way
//! finishes and no new one starts.

use std::fmt::Display;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use actix_web::rt::task::JoinHandle;
use time::OffsetDateTime;
use tokio::sync::watch;

use crate::canteen::charging::charge_recent_days;
use crate::communications::worker::Worker;
use crate::error::ApiResult;
use crate::operations::metrics;
use crate::payments::low_balance::Alerting;
use crate::payments::notices::cancel_abandoned;
use crate::payments::receipt_polling::poll_due;
use crate::payments::reconciliation::import_published;
use crate::payments::reminders::run_all as send_reminders;
use crate::startup::{AppState, Clock};

/// How often the closed days are charged.
const CHARGE_EVERY: Duration = Duration::from_secs(15 * 60);
/// How often abandoned online payment attempts are looked for.
const ABANDONED_EVERY: Duration = Duration::from_secs(5 * 60);
/// How often the reminders due are sent: daily (their steps count days).
const REMINDERS_EVERY: Duration = Duration::from_secs(24 * 3600);

/// Starts the jobs the configuration asks for; they run until `stopping` turns true.
pub fn start(state: &AppState, stopping: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    let mut jobs = Vec::new();
    if state.config.charge_job {
        let (db, gateway) = (state.db.clone(), state.gateway.clone());
        let channels = Arc::new(state.config.channel_settings.clone());
        jobs.push(actix_web::rt::spawn(every(
            Job {
                name: "meal charging",
                period: CHARGE_EVERY,
                clock: state.clock.clone(),
                stopping: stopping.clone(),
            },
            move |now| {
                let (db, gateway, channels) = (db.clone(), gateway.clone(), channels.clone());
                async move {
                    let alerting = Alerting {
                        gateway: gateway.as_deref(),
                        channels: &channels,
                    };
                    charge_recent_days(&db, alerting, now).await
                }
            },
        )));
    }
    if let Some(gateway) = state.gateway.clone() {
        let db = state.db.clone();
        jobs.push(actix_web::rt::spawn(every(
            Job {
                name: "cancelling abandoned online notices",
                period: ABANDONED_EVERY,
                clock: state.clock.clone(),
                stopping: stopping.clone(),
            },
            move |now| {
                let (db, gateway) = (db.clone(), gateway.clone());
                async move { cancel_abandoned(&db, gateway.as_ref(), now, None).await }
            },
        )));
    }
    if let Some(gateway) = state.gateway.clone() {
        let db = state.db.clone();
        let settings = Arc::new(state.config.channel_settings.clone());
        jobs.push(actix_web::rt::spawn(every(
            Job {
                name: "sending reminders",
                period: REMINDERS_EVERY,
                clock: state.clock.clone(),
                stopping: stopping.clone(),
            },
            move |now| {
                let (db, gateway, settings) = (db.clone(), gateway.clone(), settings.clone());
                async move { send_reminders(&db, gateway.as_ref(), &settings, now).await }
            },
        )));
    }
    if let Some(client) = state.gpd_receipts.clone() {
        let db = state.db.clone();
        jobs.push(actix_web::rt::spawn(every(
            Job {
                name: "fetching receipts from GPD",
                period: state.config.receipts_job_every,
                clock: state.clock.clone(),
                stopping: stopping.clone(),
            },
            move |now| {
                let (db, client) = (db.clone(), client.clone());
                async move { poll_due(&db, &client, now).await }
            },
        )));
    }
    if state.config.outbox.worker {
        let worker = Worker {
            db: state.db.clone(),
            channels: state.channels.clone(),
            clock: state.clock.clone(),
            max_attempts: state.config.outbox.max_attempts,
            poll: state.config.outbox.poll,
        };
        jobs.push(actix_web::rt::spawn(worker.run(stopping.clone())));
    }
    if let Some(client) = state.fdr.clone() {
        let db = state.db.clone();
        jobs.push(actix_web::rt::spawn(every(
            Job {
                name: "importing flussi di rendicontazione",
                period: state.config.flows_job_every,
                clock: state.clock.clone(),
                stopping: stopping.clone(),
            },
            move |now| {
                let (db, client) = (db.clone(), client.clone());
                async move { import_published(&db, &client, now).await }
            },
        )));
    }
    jobs
}

/// A scheduled job: its name in logs and metrics, how often it runs, the server's clock
/// and the signal that the server is stopping.
struct Job {
    name: &'static str,
    period: Duration,
    clock: Arc<Clock>,
    stopping: watch::Receiver<bool>,
}

/// Runs `run` now and then every period, with the clock's "now", logging how many records
/// it handled (when any) or why it failed and recording when it last succeeded, until the
/// server stops: that is checked only between runs, so a run under way always finishes.
async fn every<F, Fut, N>(mut job: Job, mut run: F)
where
    F: FnMut(OffsetDateTime) -> Fut,
    Fut: Future<Output = ApiResult<N>>,
    N: Display + Default + PartialEq,
{
    let name = job.name;
    loop {
        match run(job.clock.now()).await {
            Ok(count) => {
                if count != N::default() {
                    tracing::info!(job = name, %count, "job done");
                }
                metrics::job_ran(name, job.clock.now());
            }
            Err(err) => tracing::error!(job = name, ?err, "job failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(job.period) => {}
            _ = job.stopping.wait_for(|stop| *stop) => return,
        }
    }
}
