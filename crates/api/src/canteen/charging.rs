//! The daily meal charging to the families' prepaid accounts, run by the server on its
//! own schedule and by operators on demand, and the credit of meals of days later closed.

use std::collections::{BTreeMap, HashMap};

use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, SqlErr,
    TransactionTrait,
};
use sportello_model::bookings::{BookingRefusal, ChargeReport};
use sportello_model::money::cents_to_decimal;
use sportello_model::payments::MovementKind;
use sportello_model::{format, rome};
use time::{Date, OffsetDateTime};

use super::attendance::{expected, Expected};
use crate::bookings::calendar::{closed_on, lock_service};
use crate::children::entity::child;
use crate::db::{EnteId, TenantScoped};
use crate::entes::entity::service;
use crate::entes::service::meal_service;
use crate::error::{ApiError, ApiResult};
use crate::payments::entity::{ledger_movement, prepaid_account};
use crate::payments::ledger::{self, NewMovement, BATCH_ROWS};
use crate::payments::low_balance::{self, Alerting};

/// Closed days looked at on each run of the schedule (a server that was down catches up).
const DAYS_BACK: i64 = 7;

/// The schedule's run: charges the closed days of the last week of every prepaid service
/// of every comune. Returns the meals charged.
pub async fn charge_recent_days(
    db: &DatabaseConnection,
    alerting: Alerting<'_>,
    now: OffsetDateTime,
) -> ApiResult<u64> {
    let today = rome::today(now);
    let mut charged = 0;
    let services = service::Entity::find().all(db).await?;
    for s in services.iter().filter(|s| s.kind.serves_meals()) {
        for back in 1..=DAYS_BACK {
            let day = today - time::Duration::days(back);
            match charge_day(db, alerting, s.ente_id, s.id, day, now).await {
                Ok(report) => charged += report.charged,
                Err(ApiError::Conflict(_)) => {}
                Err(err) => return Err(err),
            }
        }
    }
    Ok(charged)
}

/// Debits each child who ate on a closed `day` the meal price of their enrolment, one
/// movement per child and day. Idempotent through the unique meal key: running it
/// twice, or on two servers at once, charges once. A meal credited back because its day
/// was closed, then charged again because the closure was removed, takes the next key
/// of the day (see [`keys_to_charge`]). Meals go in batches of
/// [`BATCH_ROWS`], one transaction each; a batch that meets a meal charged meanwhile by
/// another run is rolled back and redone without it. Then the families whose balance
/// went below their threshold get the low-balance alert (once: see
/// [`low_balance`](crate::payments::low_balance)), with its notice through pagoPA.
pub async fn charge_day(
    db: &DatabaseConnection,
    alerting: Alerting<'_>,
    ente_id: EnteId,
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
    low_balance::alert_due(db, alerting, ente_id, service_id, None, now).await?;
    Ok(report)
}

/// Times a batch is tried when it collides with a concurrent run.
const CHARGE_ATTEMPTS: usize = 3;

/// Charges the meals of `batch` not in the ledger yet: (meals charged, cents). Meals
/// already charged are skipped before the transaction (a re-run costs one read) and
/// again inside it, under the accounts' locks.
async fn charge_batch(
    db: &DatabaseConnection,
    ente_id: EnteId,
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
                    child_id: Some(e.row.child_id),
                    service_day: Some(day),
                    meal_key: Some(meal_key),
                    ..NewMovement::new(
                        MovementKind::Meal,
                        -e.meal_price_cents,
                        format!("Pasto del {} - {}", format::date(day), e.row.child_name),
                    )
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
    ente_id: EnteId,
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
                    child_id: meal.child_id,
                    service_day: Some(day),
                    meal_key: Some(key),
                    ..NewMovement::new(
                        MovementKind::MealReversal,
                        -meal.amount_cents,
                        format!("Storno pasto del {}{child} ({reason})", format::date(day)),
                    )
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
