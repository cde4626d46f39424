//! Reading and changing a child's bookings.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, FromQueryResult,
    JoinType, QueryFilter, QuerySelect,
};
use sportello_model::bookings::{
    BookingRange, BookingRefusal, BookingResult, CalendarDay, CutoffPolicy, MealChoice,
    MonthCalendar, SkippedDay,
};
use sportello_model::entes::EnteSettings;
use sportello_model::rome;
use sportello_model::school_year::SchoolYear;
use time::{Date, Month, OffsetDateTime};

use super::calendar::{meal_calendar, MealCalendar, MealServices};
use super::entity::booking;
use crate::auth::Principal;
use crate::children::entity::enrolment;
use crate::children::service::{child_cards, child_cards_query, CardRow, ChildCards};
use crate::db::{foreign_key, upsert, EnteId};
use crate::entes::service::settings;
use crate::error::{ApiError, ApiResult};

/// The child (visible to the principal) with a card in force of a prepaid service whose
/// meals are booked, and the service's calendar; everything else is "not found". No
/// statement beside the child's when this replica keeps the service at the revision read
/// with the child, two otherwise.
struct BookingContext {
    child: ChildCards,
    meals: MealCalendar,
    settings: EnteSettings,
    policy: CutoffPolicy,
}

async fn context(
    db: &DatabaseConnection,
    kept: &MealServices,
    ente_id: EnteId,
    child: ChildCards,
    service_id: i64,
    now: OffsetDateTime,
) -> ApiResult<BookingContext> {
    let meals = meal_calendar(
        db,
        kept,
        ente_id,
        service_id,
        child.service_revision,
        rome::today(now),
    )
    .await?;
    let ente = &meals.meals.ente;
    let settings = settings(ente);
    let policy = CutoffPolicy::from_settings(&settings)
        .ok_or_else(|| ApiError::internal(format!("bad cutoff time for {}", ente.slug)))?;
    Ok(BookingContext {
        child,
        meals,
        settings,
        policy,
    })
}

/// A card of the child with one of its bookings of the month, if any.
#[derive(FromQueryResult)]
struct CardBookings {
    #[sea_orm(nested)]
    card: CardRow,
    day: Option<Date>,
    choice: Option<MealChoice>,
}

/// The child's month (`year`, `month`) for a service, with what may still be changed:
/// the child, its cards and its bookings of the month in one statement, beside the
/// token's and those of the service when this replica does not keep it at its revision.
pub async fn month(
    db: &DatabaseConnection,
    kept: &MealServices,
    principal: &Principal,
    child_id: i64,
    service_id: i64,
    (year, month): (i32, Month),
    now: OffsetDateTime,
) -> ApiResult<MonthCalendar> {
    let first = Date::from_calendar_date(year, month, 1)
        .map_err(|_| ApiError::field("month", "Mese non valido."))?;
    let last = Date::from_calendar_date(year, month, month.length(year))
        .map_err(|_| ApiError::field("month", "Mese non valido."))?;
    let ente_id = principal.ente_id;
    let month_bookings = foreign_key(enrolment::Column::ChildId, booking::Column::ChildId)
        .on_condition(move |_, bookings| {
            Condition::all()
                .add(Expr::col((bookings.clone(), booking::Column::EnteId)).eq(ente_id.get()))
                .add(Expr::col((bookings.clone(), booking::Column::ServiceId)).eq(service_id))
                .add(Expr::col((bookings, booking::Column::Day)).between(first, last))
        });
    let rows = child_cards_query(principal, child_id, service_id)
        .join(JoinType::LeftJoin, month_bookings)
        .column(booking::Column::Day)
        .column(booking::Column::Choice)
        .into_model::<CardBookings>()
        .all(db)
        .await?;
    let child = ChildCards::of_rows(rows.iter().map(|row| &row.card))?;
    let choices: HashMap<Date, MealChoice> = rows
        .iter()
        .filter_map(|row| Some((row.day?, row.choice?)))
        .collect();
    let ctx = context(db, kept, ente_id, child, service_id, now).await?;
    let mut closures = ctx.meals.closure_reasons();
    let calendar = ctx.meals.calendar;
    let mut days = Vec::new();
    let mut day = first;
    while day <= last {
        let school_day = calendar.is_school_day(day);
        let check = ctx
            .policy
            .check(&calendar, day, now)
            .and_then(|()| enrolled(&ctx.child, day));
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
        child_name: ctx.child.name,
        service_id,
        service_name: ctx.meals.meals.service.name.clone(),
        cutoff_message: ctx.policy.message(),
        choices: MealChoice::ALL
            .into_iter()
            .filter(|c| c.allowed_by(&ctx.settings))
            .collect(),
        days,
        calendar,
    })
}

/// Refuses a day of a school year the child is not enrolled in.
fn enrolled(child: &ChildCards, day: Date) -> Result<(), BookingRefusal> {
    if child.enrolled_on(day) {
        Ok(())
    } else {
        Err(BookingRefusal::NotEnrolled(SchoolYear::containing(day)))
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
    kept: &MealServices,
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
    let child = child_cards(db, principal, child_id, service_id).await?;
    let ctx = context(db, kept, principal.ente_id, child, service_id, now).await?;
    if !choice.allowed_by(&ctx.settings) {
        return Err(ApiError::field(
            "choice",
            format!("Il Comune non prevede la scelta «{}».", choice.label()),
        ));
    }
    let (open, mut skipped) = ctx.policy.split_range(&ctx.meals.calendar, from, to, now);
    let mut days = Vec::with_capacity(open.len());
    for day in open {
        match enrolled(&ctx.child, day) {
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
