//! Prenotazioni: a child's month of meals, one day or a range of days at once.

use sportello_model::bookings::{BookingChange, BookingRange, BookingResult, MonthCalendar};
use sportello_model::paths;
use time::{Date, Month};

use super::client::{get_authed, post_authed, put_authed, ApiResult};
use crate::session::Session;

/// `2026-11`, as the bookings API names a month.
pub fn month_key(year: i32, month: Month) -> String {
    format!("{year}-{:02}", u8::from(month))
}

/// A child's month of meal bookings for a prepaid service.
pub async fn month_calendar(
    session: Session,
    child_id: i64,
    service_id: i64,
    year: i32,
    month: Month,
) -> ApiResult<MonthCalendar> {
    let path = paths::month(child_id, service_id, month_key(year, month));
    get_authed(session, &path, &[]).await
}

/// Changes the meal of one day; 409 with the reason when it can no longer be changed.
pub async fn change_day(
    session: Session,
    child_id: i64,
    day: Date,
    change: &BookingChange,
) -> ApiResult<BookingResult> {
    put_authed(session, &paths::booking_day(child_id, day), change).await
}

/// Changes every school day of a range at once (all or none).
pub async fn change_range(
    session: Session,
    child_id: i64,
    range: &BookingRange,
) -> ApiResult<BookingResult> {
    post_authed(session, &paths::booking_range(child_id), Some(range)).await
}
