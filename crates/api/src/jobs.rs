//! Jobs the server runs on its own: charging the meals of the last closed school days,
//! and withdrawing the notices of online payment attempts that ended without payment.
//! Safe with several replicas: both are idempotent in the database. When the server
//! stops, a run under way finishes and no new one starts.

use std::time::Duration;

use sea_orm::{DatabaseConnection, EntityTrait};
use sportello_model::rome;
use tokio::sync::watch;

use sportello_pagopa::PaymentGateway;

use crate::bookings::canteen::charge_day;
use crate::entes::entity::service;
use crate::startup::Clock;

const EVERY: Duration = Duration::from_secs(15 * 60);
/// How often abandoned online payment attempts are looked for.
const ABANDONED_EVERY: Duration = Duration::from_secs(5 * 60);
/// Closed days looked at on each run (a server that was down catches up).
const DAYS_BACK: i64 = 7;

/// Waits `period`; says `false` at once when the server starts stopping. A job checks it
/// only between runs, so a run under way always finishes.
async fn wait_unless_stopping(period: Duration, stopping: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(period) => true,
        _ = stopping.wait_for(|stop| *stop) => false,
    }
}

/// Charges every prepaid service's closed days of the last week, then again every 15
/// minutes, until the server stops.
pub async fn charge_meals_forever(
    db: DatabaseConnection,
    clock: std::sync::Arc<Clock>,
    mut stopping: watch::Receiver<bool>,
) {
    loop {
        if let Err(err) = charge_recent_days(&db, &clock).await {
            tracing::error!(%err, "meal charging failed");
        }
        if !wait_unless_stopping(EVERY, &mut stopping).await {
            return;
        }
    }
}

async fn charge_recent_days(
    db: &DatabaseConnection,
    clock: &Clock,
) -> Result<(), crate::error::ApiError> {
    let now = clock.now();
    let today = rome::today(now);
    let services = service::Entity::find().all(db).await?;
    for s in services.iter().filter(|s| s.kind.serves_meals()) {
        for back in 1..=DAYS_BACK {
            let day = today - time::Duration::days(back);
            match charge_day(db, s.ente_id, s.id, day, now).await {
                Ok(report) if report.charged > 0 => {
                    tracing::info!(service = s.id, %day, charged = report.charged, "meals charged")
                }
                Ok(_) | Err(crate::error::ApiError::Conflict(_)) => {}
                Err(err) => return Err(err),
            }
        }
    }
    Ok(())
}

/// Cancels the notices made for online payment attempts that ended without payment (the
/// checkout was left or timed out), with pagoPA too, every few minutes until the server
/// stops.
pub async fn cancel_abandoned_notices_forever(
    db: DatabaseConnection,
    gateway: std::sync::Arc<dyn PaymentGateway>,
    clock: std::sync::Arc<Clock>,
    mut stopping: watch::Receiver<bool>,
) {
    loop {
        match crate::payments::notices::cancel_abandoned(&db, gateway.as_ref(), clock.now(), None)
            .await
        {
            Ok(0) => {}
            Ok(cancelled) => tracing::info!(cancelled, "abandoned online notices cancelled"),
            Err(err) => tracing::error!(%err, "cancelling abandoned notices failed"),
        }
        if !wait_unless_stopping(ABANDONED_EVERY, &mut stopping).await {
            return;
        }
    }
}
