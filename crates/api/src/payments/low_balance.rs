//! The low-balance alert of a prepaid account. The family sets a threshold; when a
//! charge (the daily meal charging, an operator's correction) takes the balance below
//! it, the family gets ONE letter (with its e-mail) saying how many meal days the balance
//! still covers, with a pagoPA recharge notice of a suggested top-up due the day the
//! money runs out. No further alert goes out until the balance rises to the threshold
//! again (a recharge, a correction, a meal credited back): then it re-arms.
//!
//! The state is the `alerted` flag of the account's row: sending sets it with one
//! conditional update (`alerted = false` → `true`) in the transaction that writes the
//! letter and the notice, so two charging runs at once, or a retry, send one alert; a
//! run whose notice pagoPA refuses rolls back and the next run tries again. Every
//! movement that raises the balance clears it under the account's lock ([`rearm`]).

use std::collections::{BTreeSet, HashMap};

use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QuerySelect, QueryTrait, TransactionTrait,
};
use sportello_model::bookings::MealChoice;
use sportello_model::format::euro_cents;
use sportello_model::letters::LetterKind;
use sportello_model::low_balance::{
    check_threshold, coverage, suggested_top_up, LowBalanceAlert, LowBalanceSettings, MealDay,
    HORIZON_DAYS,
};
use sportello_model::money::cents_to_decimal;
use sportello_model::payments::NoticeStatus;
use sportello_model::rome;
use sportello_model::school_year::SchoolYear;
use sportello_pagopa::PaymentGateway;
use time::{Date, OffsetDateTime};

use super::entity::{low_balance_alert, payment_notice, prepaid_account};
use super::ledger;
use super::notices::{self, NewNotice};
use crate::accounts::entity::user;
use crate::auth::Principal;
use crate::bookings::calendar::school_calendar;
use crate::bookings::entity::booking;
use crate::children::entity::{child, enrolment};
use crate::communications::letters::{self, Outgoing, Recipient, Sender};
use crate::db::{upsert, EnteId, TenantScoped};
use crate::entes::entity::{ente, service};
use crate::entes::service::{by_id as ente_by_id, prepaid_service, settings};
use crate::error::{ApiError, ApiResult};

/// The family's alert of a prepaid service as the Pagamenti page shows it.
pub async fn get(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i64,
    now: OffsetDateTime,
) -> ApiResult<LowBalanceAlert> {
    let s = prepaid_service(db, principal.ente_id, service_id).await?;
    let account =
        ledger::account_for_reading(db, principal.ente_id, principal.user_id, s.id, now).await?;
    view(db, &account, now).await
}

/// Sets the family's threshold (`0`: off). A threshold the balance is already below
/// counts as alerted: the next alert comes after the balance has risen to it.
pub async fn set(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i64,
    request: &LowBalanceSettings,
    now: OffsetDateTime,
) -> ApiResult<LowBalanceAlert> {
    let threshold =
        check_threshold(&request.threshold).map_err(|e| ApiError::field(&e.field, e.message))?;
    let s = prepaid_service(db, principal.ente_id, service_id).await?;
    let txn = db.begin().await?;
    let account = ledger::account(&txn, principal.ente_id, principal.user_id, s.id, now).await?;
    let below = threshold > 0 && account.balance_cents < threshold;
    upsert(
        &txn,
        [low_balance_alert::ActiveModel {
            ente_id: Set(principal.ente_id),
            account_id: Set(account.id),
            threshold_cents: Set(threshold),
            alerted: Set(below),
            alerted_at: Set(None),
            notice_id: Set(None),
            updated_at: Set(now),
            ..Default::default()
        }],
        [low_balance_alert::Column::AccountId],
        [
            low_balance_alert::Column::ThresholdCents,
            low_balance_alert::Column::Alerted,
            low_balance_alert::Column::UpdatedAt,
        ],
    )
    .await?;
    txn.commit().await?;
    view(db, &account, now).await
}

async fn find<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    account_id: i64,
) -> Result<Option<low_balance_alert::Model>, DbErr> {
    low_balance_alert::Entity::find_in_ente(ente_id)
        .filter(low_balance_alert::Column::AccountId.eq(account_id))
        .one(db)
        .await
}

async fn view(
    db: &DatabaseConnection,
    account: &prepaid_account::Model,
    now: OffsetDateTime,
) -> ApiResult<LowBalanceAlert> {
    let today = rome::today(now);
    let alert = find(db, account.ente_id, account.id).await?;
    let notice = match alert.as_ref().and_then(|a| a.notice_id) {
        Some(id) => payment_notice::Entity::find_in_ente(account.ente_id)
            .filter(payment_notice::Column::Id.eq(id))
            .one(db)
            .await?
            .filter(|n| notices::status(n, today) == NoticeStatus::Open)
            .map(|n| notices::dto(n, today)),
        None => None,
    };
    let (upcoming, _) = upcoming(
        db,
        account.ente_id,
        account.guardian_id,
        account.service_id,
        today,
    )
    .await?;
    let threshold = alert.as_ref().map_or(0, |a| a.threshold_cents);
    Ok(LowBalanceAlert {
        service_id: account.service_id,
        threshold: (threshold > 0).then(|| cents_to_decimal(threshold)),
        balance: cents_to_decimal(account.balance_cents),
        alerted: threshold > 0 && alert.is_some_and(|a| a.alerted),
        upcoming,
        notice,
    })
}

/// The school days from `today` (the service's calendar less closures and holidays,
/// [`HORIZON_DAYS`] ahead at most) with what the family's meals cost on each: every
/// child of the guardian enrolled in the service that day who is booked to eat, at the
/// enrolment's meal price. Also the children enrolled.
async fn upcoming(
    db: &DatabaseConnection,
    ente_id: EnteId,
    guardian_id: i64,
    service_id: i64,
    today: Date,
) -> ApiResult<(Vec<MealDay>, Vec<i64>)> {
    let calendar = school_calendar(db, ente_id, service_id, today).await?;
    let last = (today + time::Duration::days(HORIZON_DAYS)).min(calendar.last_day);
    let children = child::Entity::find_in_ente(ente_id)
        .filter(child::Column::GuardianId.eq(guardian_id))
        .select_only()
        .column(child::Column::Id)
        .into_query();
    let enrolments = enrolment::Entity::find_in_ente(ente_id)
        .filter(enrolment::Column::ServiceId.eq(service_id))
        .filter(enrolment::Column::Active.eq(true))
        .filter(enrolment::Column::ChildId.in_subquery(children))
        .all(db)
        .await?;
    let enrolled: BTreeSet<i64> = enrolments.iter().map(|e| e.child_id).collect();
    let bookings: HashMap<(i64, Date), MealChoice> = booking::Entity::find_in_ente(ente_id)
        .filter(booking::Column::ServiceId.eq(service_id))
        .filter(booking::Column::ChildId.is_in(enrolled.iter().copied()))
        .filter(booking::Column::Day.between(today, last))
        .all(db)
        .await?
        .into_iter()
        .map(|b| ((b.child_id, b.day), b.choice))
        .collect();
    let mut days = Vec::new();
    let mut day = today;
    while day <= last {
        if calendar.is_school_day(day) {
            let year = SchoolYear::containing(day);
            let cents: i64 = enrolments
                .iter()
                .filter(|e| e.school_year == year)
                .filter(|e| {
                    bookings
                        .get(&(e.child_id, day))
                        .copied()
                        .unwrap_or(MealChoice::Present)
                        .eats()
                })
                .map(|e| e.meal_price_cents)
                .sum();
            days.push(MealDay {
                day,
                cost: cents_to_decimal(cents),
            });
        }
        day = day
            .next_day()
            .ok_or_else(|| ApiError::internal("date out of range"))?;
    }
    Ok((days, enrolled.into_iter().collect()))
}

/// Re-arms, inside the caller's transaction (after their balances moved up), the alerts
/// of these accounts whose balance is back at or above the threshold.
pub async fn rearm<C: ConnectionTrait>(
    txn: &C,
    ente_id: EnteId,
    account_ids: &[i64],
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    if account_ids.is_empty() {
        return Ok(());
    }
    let waiting = low_balance_alert::Entity::find_in_ente(ente_id)
        .filter(low_balance_alert::Column::Alerted.eq(true))
        .filter(low_balance_alert::Column::AccountId.is_in(account_ids.iter().copied()))
        .all(txn)
        .await?;
    if waiting.is_empty() {
        return Ok(());
    }
    let balances: HashMap<i64, i64> = prepaid_account::Entity::find_in_ente(ente_id)
        .select_only()
        .column(prepaid_account::Column::Id)
        .column(prepaid_account::Column::BalanceCents)
        .filter(prepaid_account::Column::Id.is_in(waiting.iter().map(|a| a.account_id)))
        .into_tuple::<(i64, i64)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let risen: Vec<i64> = waiting
        .iter()
        .filter(|a| {
            balances
                .get(&a.account_id)
                .is_some_and(|balance| *balance >= a.threshold_cents)
        })
        .map(|a| a.id)
        .collect();
    if risen.is_empty() {
        return Ok(());
    }
    low_balance_alert::Entity::update_many()
        .col_expr(low_balance_alert::Column::Alerted, Expr::value(false))
        .col_expr(low_balance_alert::Column::UpdatedAt, Expr::value(now))
        .filter(low_balance_alert::Column::EnteId.eq(ente_id))
        .filter(low_balance_alert::Column::Id.is_in(risen))
        .filter(low_balance_alert::Column::Alerted.eq(true))
        .exec(txn)
        .await?;
    Ok(())
}

/// What sending low-balance alerts needs besides the database: pagoPA for the suggested
/// recharge notice (without it the letter goes without one) and the comuni's channels
/// (App IO, where the notice travels as `payment_data`).
#[derive(Clone, Copy)]
pub struct Alerting<'a> {
    pub gateway: Option<&'a dyn PaymentGateway>,
    pub channels: &'a sportello_notify::Settings,
}

/// Sends the alerts due on the prepaid service (or on the one account `only`): armed,
/// with a threshold, and a balance below it. An alert that fails is logged and left
/// armed for the next run. Returns the alerts sent.
pub async fn alert_due(
    db: &DatabaseConnection,
    alerting: Alerting<'_>,
    ente_id: EnteId,
    service_id: i64,
    only: Option<i64>,
    now: OffsetDateTime,
) -> ApiResult<u64> {
    let accounts = Query::select()
        .column(prepaid_account::Column::Id)
        .from(prepaid_account::Entity)
        .and_where(prepaid_account::Column::EnteId.eq(ente_id))
        .and_where(prepaid_account::Column::ServiceId.eq(service_id))
        .to_owned();
    let armed = low_balance_alert::Entity::find_in_ente(ente_id)
        .filter(low_balance_alert::Column::Alerted.eq(false))
        .filter(low_balance_alert::Column::ThresholdCents.gt(0))
        .filter(low_balance_alert::Column::AccountId.in_subquery(accounts))
        .apply_if(only, |q, id| {
            q.filter(low_balance_alert::Column::AccountId.eq(id))
        })
        .all(db)
        .await?;
    if armed.is_empty() {
        return Ok(0);
    }
    let accounts: HashMap<i64, prepaid_account::Model> =
        prepaid_account::Entity::find_in_ente(ente_id)
            .filter(prepaid_account::Column::Id.is_in(armed.iter().map(|a| a.account_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
    let due: Vec<(&low_balance_alert::Model, &prepaid_account::Model)> = armed
        .iter()
        .filter_map(|alert| Some((alert, accounts.get(&alert.account_id)?)))
        .filter(|(alert, account)| account.balance_cents < alert.threshold_cents)
        .collect();
    if due.is_empty() {
        return Ok(0);
    }
    let ente = ente_by_id(db, ente_id).await?;
    let s = prepaid_service(db, ente_id, service_id).await?;
    let mut sent = 0;
    for (alert, account) in due {
        match send(db, alerting, &ente, &s, alert, account, now).await {
            Ok(true) => sent += 1,
            Ok(false) => {}
            Err(err) => {
                tracing::warn!(account = account.id, %err, "low-balance alert not sent; the next run tries again")
            }
        }
    }
    Ok(sent)
}

/// Sends one alert: claims it, then, if the balance is still below the threshold,
/// writes the letter with its messages and the recharge notice, registered with pagoPA
/// before the commit. Whether it was sent (not by another run meanwhile).
async fn send(
    db: &DatabaseConnection,
    alerting: Alerting<'_>,
    ente: &ente::Model,
    s: &service::Model,
    alert: &low_balance_alert::Model,
    account: &prepaid_account::Model,
    now: OffsetDateTime,
) -> ApiResult<bool> {
    let ente_id = ente.ente_id();
    let today = rome::today(now);
    let (upcoming, children) = upcoming(db, ente_id, account.guardian_id, s.id, today).await?;
    let guardian = user::Entity::find_in_ente(ente_id)
        .filter(user::Column::Id.eq(account.guardian_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let txn = db.begin().await?;
    let claimed = low_balance_alert::Entity::update_many()
        .col_expr(low_balance_alert::Column::Alerted, Expr::value(true))
        .col_expr(low_balance_alert::Column::AlertedAt, Expr::value(now))
        .col_expr(low_balance_alert::Column::UpdatedAt, Expr::value(now))
        .filter(low_balance_alert::Column::EnteId.eq(ente_id))
        .filter(low_balance_alert::Column::Id.eq(alert.id))
        .filter(low_balance_alert::Column::Alerted.eq(false))
        .exec(&txn)
        .await?;
    // Under the claim, the balance and the threshold as they are now.
    let now_alert = find(&txn, ente_id, account.id).await?;
    let balance = prepaid_account::Entity::find_in_ente(ente_id)
        .filter(prepaid_account::Column::Id.eq(account.id))
        .one(&txn)
        .await?
        .map(|a| a.balance_cents);
    let (Some(now_alert), Some(balance)) = (now_alert, balance) else {
        txn.rollback().await?;
        return Ok(false);
    };
    let threshold = now_alert.threshold_cents;
    if claimed.rows_affected == 0 || threshold == 0 || balance >= threshold {
        txn.rollback().await?;
        return Ok(false);
    }
    let covered = coverage(balance, &upcoming);
    let notice = match (
        alerting.gateway,
        suggested_top_up(balance, &upcoming, &settings(ente).recharge),
    ) {
        (Some(_), Some(cents)) => {
            let new = NewNotice {
                due_date: covered.runs_out_on,
                // Due the day the money runs out; payable afterwards too.
                expires_on: None,
                ..NewNotice::recharge(s, &guardian, cents, false, today)
            };
            let notice = notices::create(&txn, ente, new, now).await?;
            low_balance_alert::Entity::update_many()
                .col_expr(low_balance_alert::Column::NoticeId, Expr::value(notice.id))
                .filter(low_balance_alert::Column::EnteId.eq(ente_id))
                .filter(low_balance_alert::Column::Id.eq(alert.id))
                .exec(&txn)
                .await?;
            Some(notice)
        }
        _ => None,
    };
    let mut body = format!(
        "Il saldo del conto **{}** è sceso a **{}**, sotto la soglia di {} che hai scelto.\n\n{}\n\n",
        s.name,
        euro_cents(balance),
        euro_cents(threshold),
        covered.line()
    );
    match &notice {
        Some(n) => body.push_str(&format!(
            "Per non restare senza credito ti suggeriamo una ricarica di **{}**: l'avviso di pagamento pagoPA n. {} è pronto, da pagare {} online o presso un punto pagoPA. Lo trovi nell'area personale, alla voce Pagamenti.\n\n",
            euro_cents(n.amount_cents),
            n.notice_number,
            notices::deadline(n).text()
        )),
        None => body.push_str(
            "Puoi ricaricare il conto dall'area personale, alla voce Pagamenti.\n\n",
        ),
    }
    body.push_str(&format!(
        "Non riceverai altri avvisi finché il saldo non tornerà ad almeno {}.",
        euro_cents(threshold)
    ));
    let title = format!("Saldo basso del conto {}", s.name);
    let sender = Sender::for_ente(alerting.channels, ente);
    letters::write(
        &txn,
        &Outgoing {
            ente_id,
            sender: &sender,
            communication_id: None,
            kind: LetterKind::LowBalance,
            title: &title,
            body: &body,
            attachment_id: None,
            urgent: false,
            payment_data: notice
                .as_ref()
                .filter(|_| sender.app_io)
                .map(|n| notices::payment_data(ente, n)),
        },
        &[Recipient {
            guardian_id: guardian.id,
            children,
        }],
        now,
    )
    .await?;
    match (alerting.gateway, &notice) {
        (Some(gateway), Some(n)) => {
            notices::register_and_commit(txn, gateway, ente, n, &guardian).await?
        }
        _ => txn.commit().await?,
    }
    Ok(true)
}
