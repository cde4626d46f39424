//! The canteen's school calendar.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};
use sportello_model::school_year::SchoolYear;
use sportello_model::Weekdays;
use time::{Date, Month};

use super::custom;
use crate::bookings::calendar::insert_range;
use crate::bookings::entity::service_calendar;
use crate::db::EnteId;

/// The canteen's school year around `today`, Monday to Friday, with the Christmas break
/// closed (the national holidays are closed on every calendar, Easter Monday included).
pub(super) async fn insert<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    service_id: i64,
    today: Date,
) -> Result<(), DbErr> {
    let year = SchoolYear::containing(today).start_year();
    let day = |y: i32, m: Month, d: u8| Date::from_calendar_date(y, m, d).map_err(custom);
    service_calendar::ActiveModel {
        ente_id: Set(ente_id),
        service_id: Set(service_id),
        first_day: Set(day(year, Month::September, 14)?),
        last_day: Set(day(year + 1, Month::June, 8)?),
        serving_weekdays: Set(Weekdays::MONDAY_TO_FRIDAY),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let mut christmas = Vec::new();
    let mut closed = day(year, Month::December, 23)?;
    while closed <= day(year + 1, Month::January, 6)? {
        christmas.push(closed);
        closed += time::Duration::days(1);
    }
    insert_range(db, ente_id, service_id, &christmas, "Vacanze di Natale").await
}
