//! The school calendar of a service: its period, the weekdays the canteen serves and its
//! closures. Operators set it; bookings, attendance and charging read it, and the rette
//! of an emissions service pro rata pay for the days of a month inside its period.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use sportello_model::bookings::{
    CalendarSettings, Closure, ClosureAdded, Holiday, NewClosure, SchoolCalendar, ServiceCalendar,
};
use sportello_model::holidays::national_holidays_between;
use sportello_model::money::cents_to_decimal;
use sportello_model::school_year::SchoolYear;
use sportello_model::{rome, Weekdays};
use time::{Date, Month, OffsetDateTime};

use super::entity::{closure, service_calendar};
use crate::auth::Principal;
use crate::canteen::charging::reverse_meals;
use crate::db::{foreign_key, upsert, EnteId, TenantScoped};
use crate::entes::entity::{ente, service};
use crate::entes::service::service_of_ente;
use crate::error::{ApiError, ApiResult};

/// The school year containing `today` (September to June), Monday to Friday: the
/// calendar of a service until an operator sets one.
fn default_period(today: Date) -> ApiResult<(Date, Date)> {
    let start_year = SchoolYear::containing(today).start_year();
    let first = Date::from_calendar_date(start_year, Month::September, 1);
    let last = Date::from_calendar_date(start_year + 1, Month::June, 30);
    Ok((
        first.map_err(ApiError::internal)?,
        last.map_err(ApiError::internal)?,
    ))
}

async fn closures(
    db: &DatabaseConnection,
    ente_id: EnteId,
    service_id: i64,
) -> ApiResult<Vec<closure::Model>> {
    Ok(closure::Entity::find_in_ente(ente_id)
        .filter(closure::Column::ServiceId.eq(service_id))
        .order_by_asc(closure::Column::Day)
        .all(db)
        .await?)
}

/// What operators set (if they did), and the closures.
async fn load(
    db: &DatabaseConnection,
    ente_id: EnteId,
    service_id: i64,
) -> ApiResult<(Option<service_calendar::Model>, Vec<closure::Model>)> {
    let stored = service_calendar::Entity::find_in_ente(ente_id)
        .filter(service_calendar::Column::ServiceId.eq(service_id))
        .one(db)
        .await?;
    Ok((stored, closures(db, ente_id, service_id).await?))
}

fn effective(
    stored: Option<&service_calendar::Model>,
    closures: &[closure::Model],
    today: Date,
) -> ApiResult<SchoolCalendar> {
    let (first_day, last_day, serving_weekdays) = match stored {
        Some(c) => (c.first_day, c.last_day, c.serving_weekdays),
        None => {
            let (first, last) = default_period(today)?;
            (first, last, Weekdays::MONDAY_TO_FRIDAY)
        }
    };
    Ok(SchoolCalendar::new(
        first_day,
        last_day,
        serving_weekdays.iso(),
        closures.iter().map(|c| c.day).collect(),
    ))
}

/// The service's calendar as bookings and charging use it.
pub async fn school_calendar(
    db: &DatabaseConnection,
    ente_id: EnteId,
    service_id: i64,
    today: Date,
) -> ApiResult<SchoolCalendar> {
    let (stored, closures) = load(db, ente_id, service_id).await?;
    effective(stored.as_ref(), &closures, today)
}

/// What the families' bookings read of a canteen service: the service, its comune
/// (whose settings hold the cutoff and the meal choices), the calendar operators set (if
/// they did) and the closures, as of the service's `revision`.
pub struct MealService {
    revision: i64,
    pub service: service::Model,
    pub ente: ente::Model,
    stored: Option<service_calendar::Model>,
    closures: Vec<closure::Model>,
}

/// The [`MealService`]s a replica keeps between requests, by service. Each is used only
/// while the service's revision, read from the database in the request's first
/// statement, is the one it was read at: every change to what it holds raises the
/// revision in its own transaction ([`revise`]), so a change made through any replica
/// applies to the very next request on every other.
#[derive(Default)]
pub struct MealServices(Mutex<HashMap<i64, Arc<MealService>>>);

impl MealServices {
    fn kept(&self, service_id: i64, revision: i64) -> Option<Arc<MealService>> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.get(&service_id)
            .filter(|meals| meals.revision == revision)
            .cloned()
    }

    fn keep(&self, meals: Arc<MealService>) {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.insert(meals.service.id, meals);
    }
}

/// A canteen service with its calendar of today.
pub struct MealCalendar {
    pub meals: Arc<MealService>,
    pub calendar: SchoolCalendar,
}

impl MealCalendar {
    /// Why each closed day is closed: the operator's description, else the national
    /// holiday's name.
    pub fn closure_reasons(&self) -> HashMap<Date, String> {
        let mut reasons: HashMap<Date, String> =
            national_holidays_between(self.calendar.first_day, self.calendar.last_day)
                .into_iter()
                .map(|(day, name)| (day, name.to_owned()))
                .collect();
        reasons.extend(
            self.meals
                .closures
                .iter()
                .map(|c| (c.day, c.description.clone())),
        );
        reasons
    }
}

/// The canteen service `service_id` of the comune whose revision is `revision`: kept by
/// this replica if it read it at that revision, else read (the service with its comune
/// and stored calendar in one statement, the closures in another) and kept. "Not found"
/// for a service of another comune or one that serves no meals.
pub async fn meal_calendar(
    db: &DatabaseConnection,
    kept: &MealServices,
    ente_id: EnteId,
    service_id: i64,
    revision: i64,
    today: Date,
) -> ApiResult<MealCalendar> {
    let meals = match kept.kept(service_id, revision) {
        Some(meals) => meals,
        None => {
            let meals = Arc::new(read_meal_service(db, ente_id, service_id, revision).await?);
            kept.keep(meals.clone());
            meals
        }
    };
    if meals.service.ente_id != ente_id || !meals.service.kind.serves_meals() {
        return Err(ApiError::NotFound);
    }
    let calendar = effective(meals.stored.as_ref(), &meals.closures, today)?;
    Ok(MealCalendar { meals, calendar })
}

/// Reads what [`MealService`] holds. It is labelled with the `revision` read before: what
/// it read is that revision's or a later one's, so a later request that reads a newer
/// revision reads it again.
async fn read_meal_service(
    db: &DatabaseConnection,
    ente_id: EnteId,
    service_id: i64,
    revision: i64,
) -> ApiResult<MealService> {
    let to_ente = foreign_key(service::Column::EnteId, ente::Column::Id);
    let calendar_of = foreign_key(service_calendar::Column::ServiceId, service::Column::Id);
    let (service, ente, stored) = service::Entity::find_in_ente(ente_id)
        .filter(service::Column::Id.eq(service_id))
        .join(JoinType::InnerJoin, to_ente)
        .join_rev(JoinType::LeftJoin, calendar_of)
        .select_also(ente::Entity)
        .select_also(service_calendar::Entity)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(MealService {
        revision,
        service,
        ente: ente.ok_or(ApiError::NotFound)?,
        stored,
        closures: closures(db, ente_id, service_id).await?,
    })
}

/// Raises the revision of the services `which` selects, in the caller's transaction:
/// part of every change to what [`MealService`] holds (a service, its comune's settings,
/// its calendar, its closures).
pub async fn revise<C: ConnectionTrait>(txn: &C, which: SimpleExpr) -> Result<(), DbErr> {
    service::Entity::update_many()
        .col_expr(
            service::Column::Revision,
            Expr::col(service::Column::Revision).add(1),
        )
        .filter(which)
        .exec(txn)
        .await?;
    Ok(())
}

async fn for_operator(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i64,
) -> ApiResult<String> {
    Ok(service_of_ente(db, principal.ente_id, service_id)
        .await?
        .name)
}

/// The closed days as the ranges they were added as, in date order.
fn ranges(closures: Vec<closure::Model>) -> Vec<Closure> {
    let mut by_range: BTreeMap<i64, Closure> = BTreeMap::new();
    for c in closures {
        by_range
            .entry(c.range())
            .and_modify(|range| {
                range.from = range.from.min(c.day);
                range.to = range.to.max(c.day);
            })
            .or_insert(Closure {
                id: c.range(),
                from: c.day,
                to: c.day,
                description: c.description,
            });
    }
    let mut ranges: Vec<Closure> = by_range.into_values().collect();
    ranges.sort_by_key(|range| (range.from, range.id));
    ranges
}

async fn describe(
    db: &DatabaseConnection,
    ente_id: EnteId,
    service_id: i64,
    service_name: String,
    today: Date,
) -> ApiResult<ServiceCalendar> {
    let (stored, closures) = load(db, ente_id, service_id).await?;
    let calendar = effective(stored.as_ref(), &closures, today)?;
    Ok(ServiceCalendar {
        service_id,
        service_name,
        national_holidays: national_holidays_between(calendar.first_day, calendar.last_day)
            .into_iter()
            .map(|(day, name)| Holiday {
                day,
                name: name.into(),
            })
            .collect(),
        first_day: calendar.first_day,
        last_day: calendar.last_day,
        serving_weekdays: calendar.serving_weekdays,
        configured: stored.is_some(),
        closures: ranges(closures),
    })
}

/// Serialises the writes that decide whether a day of the service is charged: adding or
/// removing a closure, setting the calendar and charging a day. Its first statement
/// writes the service's row (raising its revision, see [`revise`]), which locks the row
/// on PostgreSQL and takes the write lock on SQLite, so the closed days a transaction
/// reads after it stay as read until it ends.
pub async fn lock_service<C: ConnectionTrait>(txn: &C, service_id: i64) -> Result<(), DbErr> {
    revise(txn, service::Column::Id.eq(service_id)).await
}

/// Whether the canteen of the service is closed on `day` by an operator's closure.
pub async fn closed_on<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    service_id: i64,
    day: Date,
) -> Result<bool, DbErr> {
    Ok(closure::Entity::find_in_ente(ente_id)
        .filter(closure::Column::ServiceId.eq(service_id))
        .filter(closure::Column::Day.eq(day))
        .one(db)
        .await?
        .is_some())
}

/// The calendar of a service, for operators.
pub async fn get(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i64,
    today: Date,
) -> ApiResult<ServiceCalendar> {
    let name = for_operator(db, principal, service_id).await?;
    describe(db, principal.ente_id, service_id, name, today).await
}

/// Sets the service period and the weekdays the canteen serves.
pub async fn set(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i64,
    settings: &CalendarSettings,
    today: Date,
) -> ApiResult<ServiceCalendar> {
    let name = for_operator(db, principal, service_id).await?;
    let problems = settings.problems();
    let weekdays = match Weekdays::from_iso(&settings.serving_weekdays) {
        Some(weekdays) if problems.is_empty() => weekdays,
        _ => return Err(ApiError::Validation(problems)),
    };
    let txn = db.begin().await?;
    lock_service(&txn, service_id).await?;
    upsert(
        &txn,
        [service_calendar::ActiveModel {
            ente_id: Set(principal.ente_id),
            service_id: Set(service_id),
            first_day: Set(settings.first_day),
            last_day: Set(settings.last_day),
            serving_weekdays: Set(weekdays),
            ..Default::default()
        }],
        [service_calendar::Column::ServiceId],
        [
            service_calendar::Column::FirstDay,
            service_calendar::Column::LastDay,
            service_calendar::Column::ServingWeekdays,
        ],
    )
    .await?;
    txn.commit().await?;
    describe(db, principal.ente_id, service_id, name, today).await
}

/// Stores closed `days` (none of them closed yet) as one range: each row names the range
/// by the id of its first day.
pub async fn insert_range<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    service_id: i64,
    days: &[Date],
    description: &str,
) -> Result<(), DbErr> {
    let Some((&first, others)) = days.split_first() else {
        return Ok(());
    };
    let row = |day: Date, range_id: Option<i64>| closure::ActiveModel {
        ente_id: Set(ente_id),
        service_id: Set(service_id),
        day: Set(day),
        description: Set(description.to_owned()),
        range_id: Set(range_id),
        ..Default::default()
    };
    let first = row(first, None).insert(db).await?;
    closure::Entity::update_many()
        .col_expr(closure::Column::RangeId, Expr::value(first.id))
        .filter(closure::Column::Id.eq(first.id))
        .exec(db)
        .await?;
    if !others.is_empty() {
        closure::Entity::insert_many(others.iter().map(|&day| row(day, Some(first.id))))
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Closes the canteen on every day of the range not closed already (a day already
/// closed keeps its closure), as one range. Meals already charged for any closed day of
/// the range are credited back in the same transaction, one "Storno pasto" movement per
/// meal; adding the same closure again, or retrying the request, credits nothing more.
pub async fn add_closure(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i64,
    request: &NewClosure,
    now: OffsetDateTime,
) -> ApiResult<ClosureAdded> {
    let name = for_operator(db, principal, service_id).await?;
    ApiError::check(request.problems())?;
    let ente_id = principal.ente_id;
    let description = request.description.trim().to_owned();
    let txn = db.begin().await?;
    lock_service(&txn, service_id).await?;
    let mut closed: BTreeMap<Date, String> = closure::Entity::find_in_ente(ente_id)
        .filter(closure::Column::ServiceId.eq(service_id))
        .filter(closure::Column::Day.between(request.from, request.to))
        .all(&txn)
        .await?
        .into_iter()
        .map(|c| (c.day, c.description))
        .collect();
    let mut free = Vec::new();
    let mut day = request.from;
    while day <= request.to {
        if let Entry::Vacant(entry) = closed.entry(day) {
            free.push(day);
            entry.insert(description.clone());
        }
        day = day
            .next_day()
            .ok_or_else(|| ApiError::field("to", "Data non valida."))?;
    }
    insert_range(&txn, ente_id, service_id, &free, &description).await?;
    let (reversed_meals, reversed_cents) =
        reverse_meals(&txn, ente_id, service_id, &closed, now).await?;
    txn.commit().await?;
    Ok(ClosureAdded {
        calendar: describe(db, ente_id, service_id, name, rome::today(now)).await?,
        reversed_meals,
        reversed_amount: cents_to_decimal(reversed_cents),
    })
}

/// Reopens the days of a closure (the whole range it was added as). Meals credited back
/// when it was added stay credited: a reopened day that is over is charged again by the
/// daily charging (or an operator's "Addebita"), once, as a new meal movement, so the
/// statement reads meal, storno, meal and the balance counts the meal once.
pub async fn remove_closure(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i64,
    range_id: i64,
    today: Date,
) -> ApiResult<ServiceCalendar> {
    let name = for_operator(db, principal, service_id).await?;
    let txn = db.begin().await?;
    lock_service(&txn, service_id).await?;
    let deleted = closure::Entity::delete_many()
        .filter(closure::Column::EnteId.eq(principal.ente_id))
        .filter(closure::Column::ServiceId.eq(service_id))
        .filter(closure::Column::RangeId.eq(range_id))
        .exec(&txn)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(ApiError::NotFound);
    }
    txn.commit().await?;
    describe(db, principal.ente_id, service_id, name, today).await
}
