//! Prometheus metrics at `/metrics`, for whoever runs the service and no one else: served
//! only when `SPORTELLO_METRICS_TOKEN` is set, to the bearer of that token. Labels carry
//! route patterns, methods, statuses and outcomes, never a person's data.
//!
//! - `http_requests_total{method,route,status}` and
//!   `http_request_duration_seconds{method,route}` (histogram), by route pattern;
//! - `db_pool_connections{state="idle|in_use"}` and `db_pool_max_connections`;
//! - `outbox_pending_emails` and `outbox_oldest_pending_seconds`: the outbox's messages
//!   (every channel) not delivered yet, pending or to be tried again;
//!   `outbox_sent_total{channel}` and `outbox_failed_attempts_total{channel}`;
//! - `job_last_run_timestamp_seconds{job}` when each background job last finished a run;
//! - `pagopa_receipts_total{outcome}`, `login_failures_total{reason}`;
//! - `http_requests_sent_again_total{status}`: requests sent again after a lost database
//!   connection ([`crate::retry`]), by the status of the second answer.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{get, middleware::Next, web, HttpRequest, HttpResponse};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use secrecy::ExposeSecret;

use crate::accounts::secrets::same_secret;
use sportello_model::communications::OutboxStatus;

use crate::communications::entity::outbox_message;
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;

/// Upper bounds of the latency histogram, in seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Installs the process-wide recorder; its handle renders what was recorded.
pub fn install() -> Result<PrometheusHandle, String> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("http_request_duration_seconds".into()),
            LATENCY_BUCKETS,
        )
        .map_err(|e| e.to_string())?
        .install_recorder()
        .map_err(|e| e.to_string())
}

/// Middleware: counts and times every request by method, route pattern and status.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let res = next.call(req).await?;
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".into());
    let status = res.status().as_u16().to_string();
    ::metrics::counter!(
        "http_requests_total",
        "method" => method.clone(),
        "route" => route.clone(),
        "status" => status
    )
    .increment(1);
    ::metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    Ok(res)
}

/// Counts a receipt pagoPA delivered, by what it did.
pub fn receipt_processed(outcome: sportello_model::payments::ReceiptOutcome) {
    ::metrics::counter!("pagopa_receipts_total", "outcome" => outcome.as_str()).increment(1);
}

/// Counts a request sent again after a lost database connection, by its second answer.
pub fn request_sent_again(status: u16) {
    ::metrics::counter!("http_requests_sent_again_total", "status" => status.to_string())
        .increment(1);
}

/// Counts a refused password login: wrong credentials, or an account locked out.
pub fn login_failed(reason: &'static str) {
    ::metrics::counter!("login_failures_total", "reason" => reason).increment(1);
}

/// Records that `job` finished a run now.
pub fn job_ran(job: &'static str, now: time::OffsetDateTime) {
    ::metrics::gauge!("job_last_run_timestamp_seconds", "job" => job)
        .set(now.unix_timestamp() as f64);
}

/// The metrics in Prometheus' text format. 404 unless a token is configured, 401 without
/// it.
#[get("/metrics")]
pub async fn scrape(
    req: HttpRequest,
    state: web::Data<AppState>,
    handle: web::Data<PrometheusHandle>,
) -> ApiResult<HttpResponse> {
    let expected = state
        .config
        .metrics_token
        .as_ref()
        .ok_or(ApiError::NotFound)?;
    let presented = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !same_secret(presented, expected.expose_secret()) {
        return Err(ApiError::Unauthorized(
            "Serve il token delle metriche.".into(),
        ));
    }
    record_state(&state).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle.render()))
}

/// Gauges read at scrape time: the connection pool and the e-mail outbox.
async fn record_state(state: &AppState) -> ApiResult<()> {
    let (size, idle, max) = match state.db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = state.db.get_postgres_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        _ => {
            let pool = state.db.get_sqlite_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX);
    ::metrics::gauge!("db_pool_connections", "state" => "idle").set(f64::from(idle));
    ::metrics::gauge!("db_pool_connections", "state" => "in_use")
        .set(f64::from(size.saturating_sub(idle)));
    ::metrics::gauge!("db_pool_max_connections").set(f64::from(max));

    let pending = outbox_message::Entity::find().filter(
        outbox_message::Column::Status.is_in([OutboxStatus::Pending, OutboxStatus::Failed]),
    );
    let count = pending.clone().count(&state.db).await?;
    let oldest = pending
        .order_by_asc(outbox_message::Column::CreatedAt)
        .one(&state.db)
        .await?
        .map(|e| (state.now() - e.created_at).as_seconds_f64().max(0.0))
        .unwrap_or(0.0);
    ::metrics::gauge!("outbox_pending_emails").set(count as f64);
    ::metrics::gauge!("outbox_oldest_pending_seconds").set(oldest);
    Ok(())
}
