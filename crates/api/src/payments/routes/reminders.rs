//! Solleciti (`Action::ManageReminders`, the comune's operators): the comune's schedule
//! of reminders, what is due now and what was sent, and «Invia ora».

use actix_web::{get, post, put, web, HttpResponse};
use sportello_model::reminders::{ReminderSchedule, RemindersOverview, RemindersRun};

use super::gateway;
use crate::auth::{can, Allowed};
use crate::entes::service::by_id as ente_by_id;
use crate::error::ApiResult;
use crate::http::Json;
use crate::payments::reminders;
use crate::startup::AppState;

/// The comune's schedule of reminders: on or off, and after how many days of debt each
/// step goes (off, 7 and 21 days until the comune sets its own).
#[utoipa::path(
    tag = "Solleciti",
    responses(
        (status = 200, body = ReminderSchedule),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/reminders/schedule")]
pub async fn get_reminder_schedule(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageReminders>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(reminders::schedule(&state.db, principal.ente_id).await?))
}

/// Changes the comune's schedule: 1 to 5 steps, each of 1 to 365 days, ascending.
#[utoipa::path(
    tag = "Solleciti",
    request_body = ReminderSchedule,
    responses(
        (status = 200, body = ReminderSchedule),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[put("/reminders/schedule")]
pub async fn set_reminder_schedule(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageReminders>,
    body: Json<ReminderSchedule>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(reminders::set_schedule(&state.db, principal.ente_id, &body, state.now()).await?))
}

/// Solleciti: the schedule, the debts due for a step now (when the schedule is on) and
/// the latest reminders sent, with their notice and whether the debt is settled now.
#[utoipa::path(
    tag = "Solleciti",
    responses(
        (status = 200, body = RemindersOverview),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/reminders")]
pub async fn list_reminders(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageReminders>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(reminders::overview(&state.db, principal.ente_id, state.now()).await?))
}

/// Invia ora: sends the reminders due now, as the daily job does. Each step of a debt
/// goes once: asked again, or at the same time as the job, it sends nothing more.
#[utoipa::path(
    tag = "Solleciti",
    responses(
        (status = 200, body = RemindersRun),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[post("/reminders/run")]
pub async fn run_reminders(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageReminders>,
) -> ApiResult<HttpResponse> {
    let gateway = gateway(&state)?;
    let ente = ente_by_id(&state.db, principal.ente_id).await?;
    let sent = reminders::run(
        &state.db,
        gateway,
        &ente,
        &state.config.channel_settings,
        state.now(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(RemindersRun { sent }))
}
