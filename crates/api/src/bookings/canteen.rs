//! The canteen's day: who is expected (roster), staff attendance, kitchen counts and the
//! daily meal charging to the families' prepaid accounts.

use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};
use sportello_model::auth::Role;
use sportello_model::bookings::{
    AttendanceMark, AttendanceRow, BookingRefusal, ChargeReport, KitchenCount, MealChoice,
};
use sportello_model::entes::ServiceKind;
use sportello_model::money::cents_to_decimal;
use sportello_model::payments::MovementKind;
use sportello_model::{format, rome};
use time::{Date, OffsetDateTime};

use super::entity::{attendance, booking};
use super::service::school_calendar;
use crate::auth::Principal;
use crate::children::entity::{child, enrolment};
use crate::db::TenantScoped;
use crate::entes::entity::service;
use crate::entes::service::service_kind;
use crate::error::{ApiError, ApiResult};
use crate::payments::entity::ledger_movement;
use crate::payments::ledger::{self, NewMovement};

/// A roster line with what charging needs.
struct Expected {
    row: AttendanceRow,
    guardian_id: i64,
    meal_price_cents: i64,
}

async fn prepaid_service(
    db: &DatabaseConnection,
    ente_id: i64,
    service_id: i64,
) -> ApiResult<service::Model> {
    service::Entity::find_in_ente(ente_id)
        .filter(service::Column::Id.eq(service_id))
        .one(db)
        .await?
        .filter(|s| service_kind(&s.kind) == ServiceKind::Prepaid)
        .ok_or(ApiError::NotFound)
}

/// Every child actively enrolled in the service, with whether they eat on `day`: staff's
/// record if any, else the family's booking (present by default).
async fn expected(
    db: &DatabaseConnection,
    ente_id: i64,
    service_id: i64,
    day: Date,
) -> ApiResult<Vec<Expected>> {
    let calendar = school_calendar(db, ente_id, service_id, day).await?;
    if !calendar.is_school_day(day) {
        return Err(ApiError::Conflict(
            BookingRefusal::NotASchoolDay(day).to_string(),
        ));
    }
    let enrolments = enrolment::Entity::find_in_ente(ente_id)
        .filter(enrolment::Column::ServiceId.eq(service_id))
        .filter(enrolment::Column::Active.eq(true))
        .all(db)
        .await?;
    let children: HashMap<i64, child::Model> = child::Entity::find_in_ente(ente_id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let bookings: HashMap<i64, MealChoice> = booking::Entity::find_in_ente(ente_id)
        .filter(booking::Column::ServiceId.eq(service_id))
        .filter(booking::Column::Day.eq(day))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|b| MealChoice::parse(&b.choice).map(|c| (b.child_id, c)))
        .collect();
    let recorded: HashMap<i64, bool> = attendance::Entity::find_in_ente(ente_id)
        .filter(attendance::Column::ServiceId.eq(service_id))
        .filter(attendance::Column::Day.eq(day))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.child_id, a.present))
        .collect();
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
                    school: e.school,
                    class_name: e.class_name,
                    meal_type: match booked {
                        MealChoice::BlankMeal => MealChoice::BlankMeal.label().to_uppercase(),
                        MealChoice::PersonalMeal => "PASTO PERSONALE".into(),
                        _ => e.meal_type,
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

fn require_staff(principal: &Principal) -> ApiResult<()> {
    principal.require(&[Role::CanteenStaff, Role::Operator])
}

/// The day's roster for staff, optionally for one school.
pub async fn roster(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i64,
    day: Date,
    school: Option<&str>,
) -> ApiResult<Vec<AttendanceRow>> {
    require_staff(principal)?;
    prepaid_service(db, principal.ente_id, service_id).await?;
    Ok(expected(db, principal.ente_id, service_id, day)
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
    require_staff(principal)?;
    prepaid_service(db, principal.ente_id, mark.service_id).await?;
    if mark.day > rome::today(now) {
        return Err(ApiError::field(
            "day",
            "La presenza si registra il giorno stesso, non in anticipo.",
        ));
    }
    let row = expected(db, principal.ente_id, mark.service_id, mark.day)
        .await?
        .into_iter()
        .find(|e| e.row.child_id == child_id)
        .ok_or(ApiError::NotFound)?;
    attendance::Entity::insert(attendance::ActiveModel {
        ente_id: Set(principal.ente_id),
        child_id: Set(child_id),
        service_id: Set(mark.service_id),
        day: Set(mark.day),
        present: Set(mark.present),
        recorded_by: Set(principal.user_id),
        recorded_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            attendance::Column::ChildId,
            attendance::Column::ServiceId,
            attendance::Column::Day,
        ])
        .update_columns([
            attendance::Column::Present,
            attendance::Column::RecordedBy,
            attendance::Column::RecordedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(db)
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
    require_staff(principal)?;
    prepaid_service(db, principal.ente_id, service_id).await?;
    let mut counts: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for e in expected(db, principal.ente_id, service_id, day).await? {
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

/// Debits each child who ate on a closed `day` the meal price of their enrolment, one
/// movement per child and day. Idempotent through the unique meal key: running it
/// twice, or on two servers at once, charges once.
pub async fn charge_day(
    db: &DatabaseConnection,
    ente_id: i64,
    service_id: i64,
    day: Date,
    now: OffsetDateTime,
) -> ApiResult<ChargeReport> {
    if day >= rome::today(now) {
        return Err(ApiError::Conflict(format!(
            "Il {} non è ancora concluso: i pasti si addebitano dal giorno dopo.",
            format::date(day)
        )));
    }
    prepaid_service(db, ente_id, service_id).await?;
    let rows = expected(db, ente_id, service_id, day).await?;
    let key = |child_id: i64| format!("{child_id}:{service_id}:{day}");
    let done: HashSet<String> = ledger_movement::Entity::find()
        .filter(ledger_movement::Column::EnteId.eq(ente_id))
        .filter(ledger_movement::Column::ServiceDay.eq(day))
        .filter(ledger_movement::Column::MealKey.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| m.meal_key)
        .collect();
    let mut report = ChargeReport {
        service_id,
        day,
        charged: 0,
        already_charged: 0,
        absent: 0,
        amount: cents_to_decimal(0),
    };
    let mut amount_cents = 0;
    for e in rows {
        if !e.row.present {
            report.absent += 1;
            continue;
        }
        let meal_key = key(e.row.child_id);
        if done.contains(&meal_key) {
            report.already_charged += 1;
            continue;
        }
        let txn = db.begin().await?;
        let account = ledger::account(&txn, ente_id, e.guardian_id, service_id).await?;
        let appended = ledger::append(
            &txn,
            &account,
            NewMovement {
                kind: MovementKind::Meal,
                amount_cents: -e.meal_price_cents,
                description: format!("Pasto del {} - {}", format::date(day), e.row.child_name),
                child_id: Some(e.row.child_id),
                service_day: Some(day),
                receipt_row_id: None,
                meal_key: Some(meal_key),
                created_by: None,
            },
        )
        .await;
        match appended {
            Ok(_) => {
                txn.commit().await?;
                report.charged += 1;
                amount_cents += e.meal_price_cents;
            }
            // Another run got there first: its movement stands, ours is rolled back.
            Err(_) => {
                txn.rollback().await?;
                report.already_charged += 1;
            }
        }
    }
    report.amount = cents_to_decimal(amount_cents);
    Ok(report)
}
