//! Solleciti: the comune's schedule of reminders, what is due and what was sent, and
//! «Invia ora» (operators).

use sportello_model::paths;
use sportello_model::reminders::{ReminderSchedule, RemindersOverview, RemindersRun};

use super::client::{get_authed, post_authed, put_authed, ApiResult};
use crate::session::Session;

/// The schedule, the debts due now and the latest reminders sent.
pub async fn reminders(session: Session) -> ApiResult<RemindersOverview> {
    get_authed(session, &paths::reminders(), &[]).await
}

/// Saves the comune's schedule.
pub async fn set_reminder_schedule(
    session: Session,
    schedule: &ReminderSchedule,
) -> ApiResult<ReminderSchedule> {
    put_authed(session, &paths::reminder_schedule(), schedule).await
}

/// Invia ora: sends the reminders due now (each step of a debt once).
pub async fn run_reminders(session: Session) -> ApiResult<RemindersRun> {
    post_authed::<(), _>(session, &paths::reminders_run(), None).await
}
