//! The canteen for staff: the day's roster and attendance, the kitchen's counts, meal
//! charging, and the service calendar with its closures.

use gloo_net::http::Method;
use sportello_model::bookings::{
    AttendanceMark, AttendanceRow, CalendarSettings, ChargeReport, ChargeRequest, ClosureAdded,
    KitchenCount, NewClosure, ServiceCalendar,
};
use sportello_model::paths;
use time::Date;

use super::client::{get_authed, post_authed, put_authed, write_authed, ApiResult, Call};
use super::files::{download, Download, CSV};
use crate::session::Session;

fn day_query(service_id: i64, day: Date) -> [(&'static str, String); 2] {
    [
        ("service_id", service_id.to_string()),
        ("day", day.to_string()),
    ]
}

/// The children expected at the canteen on `day`; 409 when it is not a school day.
pub async fn roster(session: Session, service_id: i64, day: Date) -> ApiResult<Vec<AttendanceRow>> {
    get_authed(session, &paths::roster(), &day_query(service_id, day)).await
}

/// Staff record whether a child eats today.
pub async fn mark_attendance(
    session: Session,
    child_id: i64,
    mark: &AttendanceMark,
) -> ApiResult<AttendanceRow> {
    put_authed(session, &paths::attendance(child_id), mark).await
}

/// Meals of the day for the kitchen, per school, class and meal type.
pub async fn kitchen_counts(
    session: Session,
    service_id: i64,
    day: Date,
) -> ApiResult<Vec<KitchenCount>> {
    get_authed(
        session,
        &paths::kitchen_counts(),
        &day_query(service_id, day),
    )
    .await
}

/// The same counts as a CSV file for the kitchen.
pub async fn kitchen_counts_csv(
    session: Session,
    service_id: i64,
    day: Date,
) -> ApiResult<Download> {
    let [service, day_param] = day_query(service_id, day);
    let query = [service, day_param, ("format", "csv".to_owned())];
    let path = paths::kitchen_counts();
    let call = Call::<()> {
        accept: CSV,
        ..Call::get(&path, &query)
    };
    download(session, &call, &format!("pasti-{day}.csv"), "text/csv").await
}

/// Charges the meals of a day that is over (operators); charging it again adds nothing.
pub async fn charge_day(session: Session, request: &ChargeRequest) -> ApiResult<ChargeReport> {
    post_authed(session, &paths::charges(), Some(request)).await
}

/// A service's canteen calendar: period, serving weekdays and closures (operators).
pub async fn service_calendar(session: Session, service_id: i64) -> ApiResult<ServiceCalendar> {
    get_authed(session, &paths::calendar(service_id), &[]).await
}

pub async fn set_service_calendar(
    session: Session,
    service_id: i64,
    settings: &CalendarSettings,
) -> ApiResult<ServiceCalendar> {
    put_authed(session, &paths::calendar(service_id), settings).await
}

/// Closes the canteen for a range of days; meals already charged for them are credited
/// back, and the answer says how many.
pub async fn add_closure(
    session: Session,
    service_id: i64,
    closure: &NewClosure,
) -> ApiResult<ClosureAdded> {
    post_authed(session, &paths::closures(service_id), Some(closure)).await
}

pub async fn remove_closure(
    session: Session,
    service_id: i64,
    closure_id: i64,
) -> ApiResult<ServiceCalendar> {
    write_authed::<(), _>(
        session,
        Method::DELETE,
        &paths::closure(service_id, closure_id),
        None,
    )
    .await
}
