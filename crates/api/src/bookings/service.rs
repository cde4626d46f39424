//! Reading and changing a child's bookings.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use sportello_model::bookings::{
    BookingRange, BookingRefusal, BookingResult, CalendarDay, CutoffPolicy, MealChoice,
    MonthCalendar, SkippedDay,
};
use sportello_model::entes::EnteSettings;
use sportello_model::rome;
use sportello_model::school_year::SchoolYear;
use time::{Date, Month, OffsetDateTime};

use super::calendar::{school_calendar, school_calendar_with_reasons};
use super::entity::booking;
use crate::auth::Principal;
use crate::children::entity::enrolment;
use crate::children::service::{enrolled_on, find_visible};
use crate::db::{upsert, TenantScoped};
use crate::entes::entity::service;
use crate::entes::service::{by_id as ente_by_id, meal_service, settings};
use crate::error::{ApiError, ApiResult};

/// The child (visible to the principal) with an active enrolment in a prepaid service
/// whose meals are booked; everything else is "not found".
struct BookingContext {
    child_name: String,
    service: service::Model,
    settings: EnteSettings,
    policy: CutoffPolicy,
}

async fn context(
    db: &DatabaseConnection,
    principal: &Principal,
    child_id: i64,
    service_id: i64,
) -> ApiResult<BookingContext> {
    let child = find_visible(db, principal, child_id).await?;
    let enrolled = enrolment::Entity::find_in_ente(principal.ente_id)
        .filter(enrolment::Column::ChildId.eq(child.id))
        .filter(enrolment::Column::ServiceId.eq(service_id))
        .filter(enrolment::Column::Active.eq(true))
        .one(db)
        .await?;
    if enrolled.is_none() {
        return Err(ApiError::NotFound);
    }
    let service = meal_service(db, principal.ente_id, service_id).await?;
    let ente = ente_by_id(db, principal.ente_id).await?;
    let settings = settings(&ente);
    let policy = CutoffPolicy::from_settings(&settings)
        .ok_or_else(|| ApiError::internal(format!("bad cutoff time for {}", ente.slug)))?;
    Ok(BookingContext {
        child_name: format!("{} {}", child.first_name, child.last_name),
        service,
        settings,
        policy,
    })
}

/// The child's month (`year`, `month`) for a service, with what may still be changed.
pub async fn month(
    db: &DatabaseConnection,
    principal: &Principal,
    child_id: i64,
    service_id: i64,
    year: i32,
    month: Month,
    now: OffsetDateTime,
) -> ApiResult<MonthCalendar> {
    let ctx = context(db, principal, child_id, service_id).await?;
    let (calendar, mut closures) =
        school_calendar_with_reasons(db, principal.ente_id, service_id, rome::today(now)).await?;
    let first = Date::from_calendar_date(year, month, 1)
        .map_err(|_| ApiError::field("month", "Mese non valido."))?;
    let last = Date::from_calendar_date(year, month, month.length(year))
        .map_err(|_| ApiError::field("month", "Mese non valido."))?;
    let choices: HashMap<Date, MealChoice> = booking::Entity::find_in_ente(principal.ente_id)
        .filter(booking::Column::ChildId.eq(child_id))
        .filter(booking::Column::ServiceId.eq(service_id))
        .filter(booking::Column::Day.between(first, last))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.day, b.choice))
        .collect();
    let years = enrolled_years(db, principal, child_id, service_id, first, last).await?;
    let mut days = Vec::new();
    let mut day = first;
    while day <= last {
        let school_day = calendar.is_school_day(day);
        let check = ctx
            .policy
            .check(&calendar, day, now)
            .and_then(|()| enrolled(&years, day));
        days.push(CalendarDay {
            date: day,
            school_day,
            choice: school_day.then(|| choices.get(&day).copied().unwrap_or(MealChoice::Present)),
            editable: check.is_ok(),
            locked_reason: match check {
                Err(reason) if school_day => Some(reason.to_string()),
                _ => None,
            },
            closure: if calendar.closures.contains(&day) {
                closures.remove(&day)
            } else {
                None
            },
        });
        day = match day.next_day() {
            Some(next) => next,
            None => break,
        };
    }
    Ok(MonthCalendar {
        child_id,
        child_name: ctx.child_name,
        service_id,
        service_name: ctx.service.name,
        cutoff_message: ctx.policy.message(),
        choices: MealChoice::ALL
            .into_iter()
            .filter(|c| c.allowed_by(&ctx.settings))
            .collect(),
        days,
        calendar,
    })
}

/// Whether the child is enrolled (by `enrolled_on`) on the days from `from` to `to`,
/// asked once for each school year they fall in.
async fn enrolled_years(
    db: &DatabaseConnection,
    principal: &Principal,
    child_id: i64,
    service_id: i64,
    from: Date,
    to: Date,
) -> ApiResult<HashMap<SchoolYear, bool>> {
    let mut years = HashMap::new();
    let mut day = from;
    while day <= to {
        if let Entry::Vacant(year) = years.entry(SchoolYear::containing(day)) {
            let card = enrolled_on(principal.ente_id, service_id, day)
                .filter(enrolment::Column::ChildId.eq(child_id))
                .one(db)
                .await?;
            year.insert(card.is_some());
        }
        day = match day.next_day() {
            Some(next) => next,
            None => break,
        };
    }
    Ok(years)
}

/// Refuses a day of a school year the child is not enrolled in.
fn enrolled(years: &HashMap<SchoolYear, bool>, day: Date) -> Result<(), BookingRefusal> {
    let year = SchoolYear::containing(day);
    match years.get(&year) {
        Some(true) => Ok(()),
        _ => Err(BookingRefusal::NotEnrolled(year)),
    }
}

fn refused(reason: BookingRefusal) -> ApiError {
    ApiError::Conflict(reason.to_string())
}

/// Sets the choice on every school day of the range that may still be changed; the
/// others are left as they were and listed with the reason (a week of illness from
/// Monday in a comune that books Tuesday to Friday changes Tuesday to Friday). Days
/// without service in between are neither. When no day can be changed, nothing is and
/// the answer is a conflict saying why.
pub async fn change(
    db: &DatabaseConnection,
    principal: &Principal,
    child_id: i64,
    request: &BookingRange,
    now: OffsetDateTime,
) -> ApiResult<BookingResult> {
    let BookingRange {
        service_id,
        from,
        to,
        choice,
    } = *request;
    ApiError::check(request.problems())?;
    let ctx = context(db, principal, child_id, service_id).await?;
    if !choice.allowed_by(&ctx.settings) {
        return Err(ApiError::field(
            "choice",
            format!("Il Comune non prevede la scelta «{}».", choice.label()),
        ));
    }
    let calendar = school_calendar(db, principal.ente_id, service_id, rome::today(now)).await?;
    let (open, mut skipped) = ctx.policy.split_range(&calendar, from, to, now);
    let years = enrolled_years(db, principal, child_id, service_id, from, to).await?;
    let mut days = Vec::with_capacity(open.len());
    for day in open {
        match enrolled(&years, day) {
            Ok(()) => days.push(day),
            Err(refusal) => skipped.push(SkippedDay {
                date: day,
                reason: refusal.to_string(),
            }),
        }
    }
    skipped.sort_by_key(|d| d.date);
    if days.is_empty() {
        let mut reasons: Vec<&str> = Vec::new();
        for day in &skipped {
            if !reasons.contains(&day.reason.as_str()) {
                reasons.push(&day.reason);
            }
        }
        return Err(match reasons.as_slice() {
            [] => refused(BookingRefusal::NotASchoolDay(from)),
            [one] => ApiError::Conflict((*one).to_owned()),
            many => ApiError::Conflict(format!(
                "Nessun giorno dell'intervallo può essere modificato. {}",
                many.join(" ")
            )),
        });
    }
    // One statement, whole without a transaction and short under the rush: the days'
    // records removed (present is the default and needs none) or set.
    if choice == MealChoice::Present {
        booking::Entity::delete_many()
            .filter(booking::Column::ChildId.eq(child_id))
            .filter(booking::Column::ServiceId.eq(service_id))
            .filter(booking::Column::Day.is_in(days.iter().copied()))
            .exec(db)
            .await?;
    } else {
        upsert(
            db,
            days.iter().map(|&day| booking::ActiveModel {
                ente_id: Set(principal.ente_id),
                child_id: Set(child_id),
                service_id: Set(service_id),
                day: Set(day),
                choice: Set(choice),
                updated_by: Set(principal.user_id),
                updated_at: Set(now),
                ..Default::default()
            }),
            [
                booking::Column::ChildId,
                booking::Column::ServiceId,
                booking::Column::Day,
            ],
            [
                booking::Column::Choice,
                booking::Column::UpdatedBy,
                booking::Column::UpdatedAt,
            ],
        )
        .await?;
    }
    Ok(BookingResult {
        choice,
        days,
        skipped,
    })
}
