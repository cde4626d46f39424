//! Test environment only: lets the end-to-end tests read the server clock and move it
//! forward, so deadlines (reset links, lock-outs, notice expiry, checkout sessions) can
//! be tested across time. Served under `/api/v1/test/clock` only with
//! `SPORTELLO_ENV=test` (elsewhere the address answers 404), and left out of the OpenAPI
//! document: it is not part of the API.

use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::config::Environment;
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(read).service(advance);
}

#[derive(Debug, Deserialize)]
pub struct ClockAdvance {
    /// Seconds to move the clock forward by; at least 1.
    pub advance_seconds: u64,
}

#[derive(Debug, Serialize)]
struct ClockNow {
    #[serde(with = "time::serde::rfc3339")]
    now: OffsetDateTime,
}

/// 404 unless the server runs in the test environment.
fn test_environment(state: &AppState) -> ApiResult<()> {
    if state.config.environment == Environment::Test {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// The server's "now".
#[get("/test/clock")]
async fn read(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    test_environment(&state)?;
    Ok(HttpResponse::Ok().json(ClockNow { now: state.now() }))
}

/// Moves the server clock forward; answers the new "now".
#[post("/test/clock")]
async fn advance(
    state: web::Data<AppState>,
    body: web::Json<ClockAdvance>,
) -> ApiResult<HttpResponse> {
    test_environment(&state)?;
    if body.advance_seconds == 0 {
        return Err(ApiError::field(
            "advance_seconds",
            "Indica di quanti secondi (almeno 1) spostare avanti l'orologio.",
        ));
    }
    let now = state
        .clock
        .advance(std::time::Duration::from_secs(body.advance_seconds))
        .ok_or_else(|| ApiError::field("advance_seconds", "Spostamento troppo grande."))?;
    Ok(HttpResponse::Ok().json(ClockNow { now }))
}
