//! The canteen's day: who is expected (roster), staff attendance and kitchen counts.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, QueryFilter, QueryTrait};
use sportello_model::bookings::{
    AttendanceMark, AttendanceRow, BookingRefusal, KitchenCount, MealChoice,
};
use sportello_model::rome;
use time::{Date, OffsetDateTime};

use crate::auth::Principal;
use crate::bookings::calendar::school_calendar;
use crate::bookings::entity::{attendance, booking};
use crate::children::entity::{child, enrolment};
use crate::children::service::enrolled_on;
use crate::db::{upsert, EnteId, TenantScoped};
use crate::entes::service::meal_service;
use crate::error::{ApiError, ApiResult};
use crate::payments::ledger::BATCH_ROWS;
use crate::schools::service::Places;

/// A roster line with what charging needs.
pub(super) struct Expected {
    pub(super) row: AttendanceRow,
    pub(super) guardian_id: i64,
    pub(super) meal_price_cents: i64,
}

/// Every child actively enrolled in the service for the school year of `day` (or only
/// the child `only`), with whether they eat on `day`: staff's record if any, else the
/// family's booking (present by default).
pub(super) async fn expected(
    db: &DatabaseConnection,
    ente_id: EnteId,
    service_id: i64,
    day: Date,
    only: Option<i64>,
) -> ApiResult<Vec<Expected>> {
    let calendar = school_calendar(db, ente_id, service_id, day).await?;
    if !calendar.is_school_day(day) {
        return Err(ApiError::Conflict(
            BookingRefusal::NotASchoolDay(day).to_string(),
        ));
    }
    let enrolments = enrolled_on(ente_id, service_id, day)
        .apply_if(only, |q, id| q.filter(enrolment::Column::ChildId.eq(id)))
        .all(db)
        .await?;
    let mut children: HashMap<i64, child::Model> = HashMap::with_capacity(enrolments.len());
    let enrolled: Vec<i64> = enrolments.iter().map(|e| e.child_id).collect();
    for chunk in enrolled.chunks(BATCH_ROWS) {
        children.extend(
            child::Entity::find_in_ente(ente_id)
                .filter(child::Column::Id.is_in(chunk.iter().copied()))
                .all(db)
                .await?
                .into_iter()
                .map(|c| (c.id, c)),
        );
    }
    let bookings: HashMap<i64, MealChoice> = booking::Entity::find_in_ente(ente_id)
        .filter(booking::Column::ServiceId.eq(service_id))
        .filter(booking::Column::Day.eq(day))
        .apply_if(only, |q, id| q.filter(booking::Column::ChildId.eq(id)))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.child_id, b.choice))
        .collect();
    let recorded: HashMap<i64, bool> = attendance::Entity::find_in_ente(ente_id)
        .filter(attendance::Column::ServiceId.eq(service_id))
        .filter(attendance::Column::Day.eq(day))
        .apply_if(only, |q, id| q.filter(attendance::Column::ChildId.eq(id)))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.child_id, a.present))
        .collect();
    let places = Places::of_ente(db, ente_id).await?;
    let mut rows: Vec<Expected> = enrolments
        .into_iter()
        .filter_map(|e| {
            let c = children.get(&e.child_id)?;
            let booked = bookings.get(&c.id).copied().unwrap_or(MealChoice::Present);
            let staff = recorded.get(&c.id).copied();
            Some(Expected {
                guardian_id: c.guardian_id,
                meal_price_cents: e.meal_price_cents,
                row: AttendanceRow {
                    child_id: c.id,
                    child_name: format!("{} {}", c.first_name, c.last_name),
                    school: places.school(e.school_id),
                    class_name: places.class(e.class_id),
                    meal_type: match booked {
                        MealChoice::BlankMeal => MealChoice::BlankMeal.label().to_uppercase(),
                        MealChoice::PersonalMeal => "PASTO PERSONALE".into(),
                        _ => e.meal_type.as_str().into(),
                    },
                    booked,
                    present: staff.unwrap_or(booked.eats()),
                    recorded: staff.is_some(),
                },
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        (&a.row.school, &a.row.class_name, &a.row.child_name).cmp(&(
            &b.row.school,
            &b.row.class_name,
            &b.row.child_name,
        ))
    });
    Ok(rows)
}

/// The day's roster for staff, optionally for one school.
pub async fn roster(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i64,
    day: Date,
    school: Option<&str>,
) -> ApiResult<Vec<AttendanceRow>> {
    meal_service(db, principal.ente_id, service_id).await?;
    Ok(expected(db, principal.ente_id, service_id, day, None)
        .await?
        .into_iter()
        .map(|e| e.row)
        .filter(|r| school.is_none_or(|s| r.school == s))
        .collect())
}

/// Staff mark a child present or absent; it overrides the booking. Only today's and
/// past days of the current week can be recorded, and only for enrolled children.
pub async fn mark(
    db: &DatabaseConnection,
    principal: &Principal,
    child_id: i64,
    mark: AttendanceMark,
    now: OffsetDateTime,
) -> ApiResult<AttendanceRow> {
    meal_service(db, principal.ente_id, mark.service_id).await?;
    if mark.day > rome::today(now) {
        return Err(ApiError::field(
            "day",
            "La presenza si registra il giorno stesso, non in anticipo.",
        ));
    }
    let row = expected(
        db,
        principal.ente_id,
        mark.service_id,
        mark.day,
        Some(child_id),
    )
    .await?
    .pop()
    .ok_or(ApiError::NotFound)?;
    upsert(
        db,
        [attendance::ActiveModel {
            ente_id: Set(principal.ente_id),
            child_id: Set(child_id),
            service_id: Set(mark.service_id),
            day: Set(mark.day),
            present: Set(mark.present),
            recorded_by: Set(principal.user_id),
            recorded_at: Set(now),
            ..Default::default()
        }],
        [
            attendance::Column::ChildId,
            attendance::Column::ServiceId,
            attendance::Column::Day,
        ],
        [
            attendance::Column::Present,
            attendance::Column::RecordedBy,
            attendance::Column::RecordedAt,
        ],
    )
    .await?;
    Ok(AttendanceRow {
        present: mark.present,
        recorded: true,
        ..row.row
    })
}

/// Meals for the kitchen, per school, class and meal type/diet.
pub async fn kitchen_counts(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i64,
    day: Date,
) -> ApiResult<Vec<KitchenCount>> {
    meal_service(db, principal.ente_id, service_id).await?;
    let mut counts: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for e in expected(db, principal.ente_id, service_id, day, None).await? {
        if e.row.present {
            *counts
                .entry((e.row.school, e.row.class_name, e.row.meal_type))
                .or_default() += 1;
        }
    }
    Ok(counts
        .into_iter()
        .map(|((school, class_name, meal_type), meals)| KitchenCount {
            school,
            class_name,
            meal_type,
            meals,
        })
        .collect())
}
