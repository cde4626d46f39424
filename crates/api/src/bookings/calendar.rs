//! The school calendar of a prepaid service: its period, the weekdays the canteen
//! serves and its closures. Operators set it; bookings, attendance and charging read it.

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use sportello_model::auth::Role;
use sportello_model::bookings::{
    CalendarSettings, Closure, NewClosure, SchoolCalendar, ServiceCalendar,
};
use time::{Date, Month};

use super::entity::{closure, service_calendar};
use crate::auth::Principal;
use crate::db::TenantScoped;
use crate::entes::service::{parse_weekdays, prepaid_service};
use crate::error::{ApiError, ApiResult};

/// The year the school year containing `today` started (it starts in September).
pub fn school_year_start(today: Date) -> i32 {
    if u8::from(today.month()) >= 9 {
        today.year()
    } else {
        today.year() - 1
    }
}

/// The school year containing `today` (September to June), Monday to Friday: the
/// calendar of a service until an operator sets one.
fn default_period(today: Date) -> ApiResult<(Date, Date)> {
    let start_year = school_year_start(today);
    let first = Date::from_calendar_date(start_year, Month::September, 1);
    let last = Date::from_calendar_date(start_year + 1, Month::June, 30);
    Ok((
        first.map_err(ApiError::internal)?,
        last.map_err(ApiError::internal)?,
    ))
}

async fn closures(
    db: &DatabaseConnection,
    ente_id: i64,
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
    ente_id: i64,
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
        Some(c) => (c.first_day, c.last_day, parse_weekdays(&c.serving_weekdays)),
        None => {
            let (first, last) = default_period(today)?;
            (first, last, vec![1, 2, 3, 4, 5])
        }
    };
    Ok(SchoolCalendar {
        first_day,
        last_day,
        serving_weekdays,
        closures: closures.iter().map(|c| c.day).collect(),
    })
}

/// The service's calendar as bookings and charging use it.
pub async fn school_calendar(
    db: &DatabaseConnection,
    ente_id: i64,
    service_id: i64,
    today: Date,
) -> ApiResult<SchoolCalendar> {
    let (stored, closures) = load(db, ente_id, service_id).await?;
    effective(stored.as_ref(), &closures, today)
}

async fn for_operator(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i64,
) -> ApiResult<String> {
    principal.require(&[Role::Operator])?;
    Ok(prepaid_service(db, principal.ente_id, service_id)
        .await?
        .name)
}

async fn describe(
    db: &DatabaseConnection,
    ente_id: i64,
    service_id: i64,
    service_name: String,
    today: Date,
) -> ApiResult<ServiceCalendar> {
    let (stored, closures) = load(db, ente_id, service_id).await?;
    let calendar = effective(stored.as_ref(), &closures, today)?;
    Ok(ServiceCalendar {
        service_id,
        service_name,
        first_day: calendar.first_day,
        last_day: calendar.last_day,
        serving_weekdays: calendar.serving_weekdays,
        configured: stored.is_some(),
        closures: closures
            .into_iter()
            .map(|c| Closure {
                id: c.id,
                day: c.day,
                description: c.description,
            })
            .collect(),
    })
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
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let mut weekdays = settings.serving_weekdays.clone();
    weekdays.sort_unstable();
    weekdays.dedup();
    let stored = weekdays
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",");
    service_calendar::Entity::insert(service_calendar::ActiveModel {
        ente_id: Set(principal.ente_id),
        service_id: Set(service_id),
        first_day: Set(settings.first_day),
        last_day: Set(settings.last_day),
        serving_weekdays: Set(stored),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(service_calendar::Column::ServiceId)
            .update_columns([
                service_calendar::Column::FirstDay,
                service_calendar::Column::LastDay,
                service_calendar::Column::ServingWeekdays,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    describe(db, principal.ente_id, service_id, name, today).await
}

/// Closes the canteen on every day of the range not closed already (a day already
/// closed keeps its description).
pub async fn add_closure(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i64,
    request: &NewClosure,
    today: Date,
) -> ApiResult<ServiceCalendar> {
    let name = for_operator(db, principal, service_id).await?;
    let problems = request.problems();
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let description = request.description.trim().to_owned();
    let mut rows = Vec::new();
    let mut day = request.from;
    while day <= request.to {
        rows.push(closure::ActiveModel {
            ente_id: Set(principal.ente_id),
            service_id: Set(service_id),
            day: Set(day),
            description: Set(description.clone()),
            ..Default::default()
        });
        day = day
            .next_day()
            .ok_or_else(|| ApiError::field("to", "Data non valida."))?;
    }
    closure::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([closure::Column::ServiceId, closure::Column::Day])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    describe(db, principal.ente_id, service_id, name, today).await
}

/// Reopens a closed day.
pub async fn remove_closure(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i64,
    closure_id: i64,
    today: Date,
) -> ApiResult<ServiceCalendar> {
    let name = for_operator(db, principal, service_id).await?;
    let deleted = closure::Entity::delete_many()
        .filter(closure::Column::EnteId.eq(principal.ente_id))
        .filter(closure::Column::ServiceId.eq(service_id))
        .filter(closure::Column::Id.eq(closure_id))
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(ApiError::NotFound);
    }
    describe(db, principal.ente_id, service_id, name, today).await
}
