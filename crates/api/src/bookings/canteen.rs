//! The canteen's day: who is expected (roster), staff attendance, kitchen counts and the
//! daily meal charging to the families' prepaid accounts.

use std::collections::{BTreeMap, HashMap};

use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryTrait, SqlErr, TransactionTrait,
};
use sportello_model::bookings::{
    AttendanceMark, AttendanceRow, BookingRefusal, ChargeReport, KitchenCount, MealChoice,
};
use sportello_model::money::cents_to_decimal;
use sportello_model::payments::MovementKind;
use sportello_model::{format, rome};
use time::{Date, OffsetDateTime};

use super::calendar::{closed_on, lock_service, school_calendar};
use super::entity::{attendance, booking};
use crate::auth::Principal;
use crate::children::entity::{child, enrolment};
use crate::db::TenantScoped;
use crate::entes::service::meal_service;
use crate::error::{ApiError, ApiResult};
use crate::payments::entity::{ledger_movement, prepaid_account};
use crate::payments::ledger::{self, NewMovement, BATCH_ROWS};

/// A roster line with what charging needs.
struct Expected {
    row: AttendanceRow,
    guardian_id: i64,
    meal_price_cents: i64,
}

/// Every child actively enrolled in the service (or only the child `only`), with
/// whether they eat on `day`: staff's record if any, else the family's booking (present
/// by default).
async fn expected(
    db: &DatabaseConnection,
    ente_id: i64,
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
    let enrolments = enrolment::Entity::find_in_ente(ente_id)
        .filter(enrolment::Column::ServiceId.eq(service_id))
        .filter(enrolment::Column::Active.eq(true))
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

/// Debits each child who ate on a closed `day` the meal price of their enrolment, one
/// movement per child and day. Idempotent through the unique meal key: running it
/// twice, or on two servers at once, charges once. A meal credited back because its day
/// was closed, then charged again because the closure was removed, takes the next key
/// of the day (see [`keys_to_charge`]). Meals go in batches of
/// [`BATCH_ROWS`], one transaction each; a batch that meets a meal charged meanwhile by
/// another run is rolled back and redone without it.
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
    meal_service(db, ente_id, service_id).await?;
    let (eating, absent): (Vec<Expected>, Vec<Expected>) =
        expected(db, ente_id, service_id, day, None)
            .await?
            .into_iter()
            .partition(|e| e.row.present);
    let mut guardians: Vec<i64> = eating.iter().map(|e| e.guardian_id).collect();
    guardians.sort_unstable();
    guardians.dedup();
    let accounts = ledger::accounts_of(db, ente_id, service_id, &guardians, now).await?;
    let mut report = ChargeReport {
        service_id,
        day,
        charged: 0,
        already_charged: 0,
        absent: absent.len() as u64,
        amount: cents_to_decimal(0),
    };
    let mut amount_cents = 0;
    for batch in eating.chunks(BATCH_ROWS) {
        let (charged, cents) =
            charge_batch(db, ente_id, service_id, day, &accounts, batch, now).await?;
        report.charged += charged;
        report.already_charged += batch.len() as u64 - charged;
        amount_cents += cents;
    }
    report.amount = cents_to_decimal(amount_cents);
    Ok(report)
}

/// Times a batch is tried when it collides with a concurrent run.
const CHARGE_ATTEMPTS: usize = 3;

/// Charges the meals of `batch` not in the ledger yet: (meals charged, cents). Meals
/// already charged are skipped before the transaction (a re-run costs one read) and
/// again inside it, under the accounts' locks.
async fn charge_batch(
    db: &DatabaseConnection,
    ente_id: i64,
    service_id: i64,
    day: Date,
    accounts: &HashMap<i64, i64>,
    batch: &[Expected],
    now: OffsetDateTime,
) -> ApiResult<(u64, i64)> {
    let first_keys: Vec<String> = batch
        .iter()
        .map(|e| format!("{}:{service_id}:{day}", e.row.child_id))
        .collect();
    let mut last_error = None;
    for _ in 0..CHARGE_ATTEMPTS {
        let keys = keys_to_charge(db, &first_keys).await?;
        let mut movements = Vec::new();
        for (e, meal_key) in batch.iter().zip(keys) {
            let Some(meal_key) = meal_key else {
                continue;
            };
            let account = *accounts
                .get(&e.guardian_id)
                .ok_or_else(|| ApiError::internal("no prepaid account for a family"))?;
            movements.push((
                account,
                NewMovement {
                    kind: MovementKind::Meal,
                    amount_cents: -e.meal_price_cents,
                    description: format!("Pasto del {} - {}", format::date(day), e.row.child_name),
                    child_id: Some(e.row.child_id),
                    service_day: Some(day),
                    receipt_row_id: None,
                    meal_key: Some(meal_key),
                    request_key: None,
                    created_by: None,
                },
            ));
        }
        if movements.is_empty() {
            return Ok((0, 0));
        }
        let txn = db.begin().await?;
        // A closure added since the roster was read wins: its day is not charged.
        lock_service(&txn, service_id).await?;
        if closed_on(&txn, ente_id, service_id, day).await? {
            txn.rollback().await?;
            return Err(ApiError::Conflict(
                BookingRefusal::NotASchoolDay(day).to_string(),
            ));
        }
        match ledger::append_batch(&txn, ente_id, movements, now).await {
            Ok(outcome) => {
                txn.commit().await?;
                return Ok((outcome.appended, -outcome.amount_cents));
            }
            // A meal charged by another run for a family whose account it did not hold
            // (the child changed family): the constraint stopped it; try again.
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                txn.rollback().await?;
                last_error = Some(err);
            }
            Err(err) => return Err(err.into()),
        }
    }
    Err(last_error
        .map(ApiError::from)
        .unwrap_or_else(|| ApiError::internal("meal charging did not finish")))
}

/// The key of the storno of the meal movement whose key is `meal_key`.
fn reversal_key(meal_key: &str) -> String {
    format!("storno:{meal_key}")
}

/// For each child's first meal key of a day (`child:service:day`), the key its charge
/// takes now, or `None` while a charge of that day stands. The first charge takes the
/// first key; a charge credited back (its storno is in the ledger) lets the day be
/// charged again with the next key, `child:service:day#1`, `#2`… Every run computes the
/// same key, so the unique meal key still stops a second charge.
async fn keys_to_charge(
    db: &DatabaseConnection,
    first_keys: &[String],
) -> ApiResult<Vec<Option<String>>> {
    let mut keys: Vec<Option<String>> = vec![None; first_keys.len()];
    let mut pending: Vec<(usize, String)> = first_keys.iter().cloned().enumerate().collect();
    let mut generation = 0u32;
    while !pending.is_empty() {
        let candidates: Vec<String> = pending.iter().map(|(_, key)| key.clone()).collect();
        let charged = ledger::charged_meal_keys(db, &candidates).await?;
        let reversals: Vec<String> = candidates
            .iter()
            .filter(|key| charged.contains(*key))
            .map(|key| reversal_key(key))
            .collect();
        let reversed = ledger::charged_meal_keys(db, &reversals).await?;
        generation += 1;
        let mut next = Vec::new();
        for (index, key) in pending {
            if !charged.contains(&key) {
                keys[index] = Some(key);
            } else if reversed.contains(&reversal_key(&key)) {
                next.push((index, format!("{}#{generation}", first_keys[index])));
            }
        }
        pending = next;
    }
    Ok(keys)
}

/// Credits back, inside the caller's transaction, every meal charged for a closed day of
/// the service that has not been credited yet: one "Storno pasto" movement per meal,
/// naming the meal and the closure's reason (`closed`: day → reason). The storno's
/// unique key, derived from the meal's, makes a second closure or a retried request
/// credit nothing more. Returns (meals credited, cents credited).
pub async fn reverse_meals(
    txn: &DatabaseTransaction,
    ente_id: i64,
    service_id: i64,
    closed: &BTreeMap<Date, String>,
    now: OffsetDateTime,
) -> ApiResult<(u64, i64)> {
    let (Some((&first, _)), Some((&last, _))) = (closed.first_key_value(), closed.last_key_value())
    else {
        return Ok((0, 0));
    };
    let accounts = Query::select()
        .column(prepaid_account::Column::Id)
        .from(prepaid_account::Entity)
        .and_where(prepaid_account::Column::EnteId.eq(ente_id))
        .and_where(prepaid_account::Column::ServiceId.eq(service_id))
        .to_owned();
    let meals: Vec<ledger_movement::Model> = ledger_movement::Entity::find()
        .filter(ledger_movement::Column::EnteId.eq(ente_id))
        .filter(ledger_movement::Column::Kind.eq(MovementKind::Meal))
        .filter(ledger_movement::Column::ServiceDay.between(first, last))
        .filter(ledger_movement::Column::AccountId.in_subquery(accounts))
        .all(txn)
        .await?
        .into_iter()
        .filter(|m| m.service_day.is_some_and(|d| closed.contains_key(&d)))
        .collect();
    let mut reversed = 0;
    let mut cents = 0;
    for chunk in meals.chunks(BATCH_ROWS) {
        let keys: Vec<String> = chunk
            .iter()
            .filter_map(|m| m.meal_key.as_deref().map(reversal_key))
            .collect();
        let done = ledger::charged_meal_keys(txn, &keys).await?;
        let child_ids: Vec<i64> = chunk.iter().filter_map(|m| m.child_id).collect();
        let names: HashMap<i64, String> = child::Entity::find_in_ente(ente_id)
            .filter(child::Column::Id.is_in(child_ids))
            .all(txn)
            .await?
            .into_iter()
            .map(|c| (c.id, format!("{} {}", c.first_name, c.last_name)))
            .collect();
        let mut movements = Vec::new();
        for meal in chunk {
            let (Some(meal_key), Some(day)) = (meal.meal_key.as_deref(), meal.service_day) else {
                continue;
            };
            let key = reversal_key(meal_key);
            if done.contains(&key) {
                continue;
            }
            let child = meal
                .child_id
                .and_then(|id| names.get(&id))
                .map(|name| format!(" - {name}"))
                .unwrap_or_default();
            let reason = closed.get(&day).map(String::as_str).unwrap_or_default();
            movements.push((
                meal.account_id,
                NewMovement {
                    kind: MovementKind::MealReversal,
                    amount_cents: -meal.amount_cents,
                    description: format!(
                        "Storno pasto del {}{child} ({reason})",
                        format::date(day)
                    ),
                    child_id: meal.child_id,
                    service_day: Some(day),
                    receipt_row_id: None,
                    meal_key: Some(key),
                    request_key: None,
                    created_by: None,
                },
            ));
        }
        if movements.is_empty() {
            continue;
        }
        let outcome = ledger::append_batch(txn, ente_id, movements, now).await?;
        reversed += outcome.appended;
        cents += outcome.amount_cents;
    }
    Ok((reversed, cents))
}
