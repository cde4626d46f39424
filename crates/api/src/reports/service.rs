//! The office's reports, read from the money and meal tables of the comune and added up
//! by the rules of `sportello_model::reports`; each also as a CSV file.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr, Func, SimpleExpr};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use sportello_model::entes::ServiceKind;
use sportello_model::money::cents_to_decimal;
use sportello_model::payments::{MovementKind, ReceiptOutcome};
use sportello_model::reminders::DebtKind;
use sportello_model::reports::{
    balances_report, debtors_report, meals_report, month_days, overdue_by, receipts_report,
    reminder_step_label, AccountBalance, BalancesReport, DebtLine, DebtorsReport, MealLine,
    MealsReport, PaidReceipt, ReceiptChannel, ReceiptsReport, BALANCES_CSV_HEADER,
    DEBTORS_CSV_HEADER, MEALS_CSV_HEADER, RECEIPTS_CSV_HEADER,
};
use sportello_model::rome;
use sportello_model::school_year::SchoolYear;
use sportello_pagopa::PaymentMethod;
use time::{Date, Duration, Month, PrimitiveDateTime, Time};

use crate::accounts::entity::user;
use crate::children::entity::enrolment;
use crate::db::{EnteId, TenantScoped};
use crate::entes::entity::service;
use crate::error::{ApiError, ApiResult};
use crate::payments::entity::{ledger_movement, prepaid_account, receipt};
use crate::payments::reminders;
use crate::schools::service::Places;

/// What a report names a school or a band the ledger cannot trace to an enrolment.
const NOT_STATED: &str = "Non indicata";

/// Incassi: the comune's accepted receipts paid (Europe/Rome days) from `from` to `to`.
pub async fn receipts(
    db: &DatabaseConnection,
    ente_id: EnteId,
    from: Date,
    to: Date,
) -> ApiResult<ReceiptsReport> {
    let midnight = |day: Date| rome::to_utc(PrimitiveDateTime::new(day, Time::MIDNIGHT));
    // A day either side, then the exact days in Rome: however the instants are stored.
    let rows = receipt::Entity::find()
        .filter(receipt::Column::EnteId.eq(ente_id))
        .filter(receipt::Column::Outcome.eq(ReceiptOutcome::Accepted))
        .filter(receipt::Column::PaidAt.gte(midnight(from - Duration::days(1))))
        .filter(receipt::Column::PaidAt.lt(midnight(to + Duration::days(2))))
        .all(db)
        .await?;
    let paid = rows
        .into_iter()
        .map(|r| {
            let method = PaymentMethod::from_code(&r.method);
            PaidReceipt {
                day: rome::today(r.paid_at),
                channel: match method {
                    PaymentMethod::Counter => ReceiptChannel::Counter,
                    _ => ReceiptChannel::Online,
                },
                method: method.label().to_string(),
                psp: r.psp,
                amount_cents: r.amount_cents,
            }
        })
        .filter(|r| (from..=to).contains(&r.day))
        .collect();
    Ok(receipts_report(from, to, paid))
}

/// Morosi on `today`: the debts the reminders read (a prepaid account below zero, a retta
/// unpaid after its due date), with the latest reminder step sent for each.
pub async fn debtors(
    db: &DatabaseConnection,
    ente_id: EnteId,
    today: Date,
) -> ApiResult<DebtorsReport> {
    let debts = reminders::debts(db, ente_id, overdue_by(today)).await?;
    let sent = reminders::last_sent(
        db,
        ente_id,
        debts.iter().map(|d| d.debt_key.clone()).collect(),
    )
    .await?;
    let lines = debts
        .into_iter()
        .map(|d| DebtLine {
            guardian_id: d.guardian.id,
            family: d.guardian.full_name(),
            fiscal_code: d.guardian.fiscal_code.as_str().to_owned(),
            negative_balance: d.kind == DebtKind::NegativeBalance,
            amount_cents: d.amount_cents,
            since: d.since,
            last_step: sent.get(&d.debt_key).copied(),
        })
        .collect();
    Ok(debtors_report(today, lines))
}

/// The comune's services by id.
async fn services(
    db: &DatabaseConnection,
    ente_id: EnteId,
) -> ApiResult<HashMap<i64, service::Model>> {
    Ok(service::Entity::find_in_ente(ente_id)
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect())
}

/// The comune's prepaid accounts by id.
async fn accounts(
    db: &DatabaseConnection,
    ente_id: EnteId,
) -> ApiResult<HashMap<i64, prepaid_account::Model>> {
    Ok(prepaid_account::Entity::find_in_ente(ente_id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}

/// Pasti serviti of a month: the meals charged to the families for its school days, net
/// of those credited back, per service and the school and band of the child's enrolment
/// of that school year.
pub async fn meals(
    db: &DatabaseConnection,
    ente_id: EnteId,
    year: i32,
    month: Month,
) -> ApiResult<MealsReport> {
    let (first, last) =
        month_days(year, month).ok_or_else(|| ApiError::internal("a month read as valid"))?;
    let movements: Vec<(i64, Option<i64>, MovementKind, i64)> = ledger_movement::Entity::find()
        .filter(ledger_movement::Column::EnteId.eq(ente_id))
        .filter(
            ledger_movement::Column::Kind.is_in([MovementKind::Meal, MovementKind::MealReversal]),
        )
        .filter(ledger_movement::Column::ServiceDay.gte(first))
        .filter(ledger_movement::Column::ServiceDay.lte(last))
        .select_only()
        .column(ledger_movement::Column::AccountId)
        .column(ledger_movement::Column::ChildId)
        .column(ledger_movement::Column::Kind)
        .column(ledger_movement::Column::AmountCents)
        .into_tuple()
        .all(db)
        .await?;
    let services = services(db, ente_id).await?;
    let accounts = accounts(db, ente_id).await?;
    let cards: HashMap<(i64, i64), enrolment::Model> = enrolment::Entity::find_in_ente(ente_id)
        .filter(enrolment::Column::SchoolYear.eq(SchoolYear::containing(first)))
        .all(db)
        .await?
        .into_iter()
        .map(|e| ((e.child_id, e.service_id), e))
        .collect();
    let places = Places::of_ente(db, ente_id).await?;
    let lines = movements
        .into_iter()
        .filter_map(|(account_id, child_id, kind, amount_cents)| {
            let service_id = accounts.get(&account_id)?.service_id;
            let card = child_id.and_then(|child| cards.get(&(child, service_id)));
            Some(MealLine {
                service: services.get(&service_id)?.name.clone(),
                school: card
                    .map(|c| places.school(c.school_id))
                    .filter(|school| !school.is_empty())
                    .unwrap_or_else(|| NOT_STATED.into()),
                band: card.map_or_else(|| NOT_STATED.into(), |c| c.fee_band.clone()),
                meals: if kind == MovementKind::Meal { 1 } else { -1 },
                amount_cents,
            })
        })
        .collect();
    Ok(meals_report(
        format!("{year:04}-{:02}", u8::from(month)),
        lines,
    ))
}

/// Saldi at the end of `on`: each prepaid account of the comune with the sum of its
/// ledger's movements dated up to that day.
pub async fn balances(
    db: &DatabaseConnection,
    ente_id: EnteId,
    on: Date,
) -> ApiResult<BalancesReport> {
    let sums: HashMap<i64, i64> = ledger_movement::Entity::find()
        .filter(ledger_movement::Column::EnteId.eq(ente_id))
        .filter(ledger_movement::Column::OccurredOn.lte(on))
        .select_only()
        .column(ledger_movement::Column::AccountId)
        .column_as(
            SimpleExpr::from(Func::cast_as(
                Func::sum(Expr::col(ledger_movement::Column::AmountCents)),
                Alias::new("BIGINT"),
            )),
            "balance",
        )
        .group_by(ledger_movement::Column::AccountId)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let services = services(db, ente_id).await?;
    let guardians: HashMap<i64, user::Model> = user::Entity::find_in_ente(ente_id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let rows = accounts(db, ente_id)
        .await?
        .into_values()
        .filter_map(|a| {
            let service = services
                .get(&a.service_id)
                .filter(|s| s.kind == ServiceKind::Prepaid)?;
            let guardian = guardians.get(&a.guardian_id)?;
            Some(AccountBalance {
                account_id: a.id,
                guardian_id: a.guardian_id,
                family: guardian.full_name(),
                fiscal_code: guardian.fiscal_code.as_str().to_owned(),
                service: service.name.clone(),
                balance: cents_to_decimal(sums.get(&a.id).copied().unwrap_or(0)),
            })
        })
        .collect();
    Ok(balances_report(on, rows))
}

/// A CSV file as the office's spreadsheets read it: a UTF-8 byte order mark (for the
/// accents), `;` between columns, `header` then `rows`.
pub(crate) fn csv_file<const N: usize>(
    header: [&str; N],
    rows: impl IntoIterator<Item = [String; N]>,
) -> ApiResult<Vec<u8>> {
    let mut body = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut body);
        writer.write_record(header).map_err(ApiError::internal)?;
        for row in rows {
            writer.write_record(&row).map_err(ApiError::internal)?;
        }
        writer.flush().map_err(ApiError::internal)?;
    }
    Ok(body)
}

/// Incassi as CSV: one line per day, channel, method and PSP.
pub fn receipts_csv(report: &ReceiptsReport) -> ApiResult<(String, Vec<u8>)> {
    let body = csv_file(
        RECEIPTS_CSV_HEADER,
        report.rows.iter().map(|r| {
            [
                r.day.to_string(),
                r.channel_label.clone(),
                r.method.clone(),
                r.psp.clone(),
                r.count.to_string(),
                r.amount.to_string(),
            ]
        }),
    )?;
    Ok((format!("incassi-{}-{}.csv", report.from, report.to), body))
}

/// Morosi as CSV: one line per family.
pub fn debtors_csv(report: &DebtorsReport) -> ApiResult<(String, Vec<u8>)> {
    let body = csv_file(
        DEBTORS_CSV_HEADER,
        report.rows.iter().map(|d| {
            [
                d.family.clone(),
                d.fiscal_code.clone(),
                d.balance.to_string(),
                d.overdue.to_string(),
                d.days_overdue.to_string(),
                reminder_step_label(d.last_reminder_step),
            ]
        }),
    )?;
    Ok((format!("morosi-{}.csv", report.on), body))
}

/// The meals served as CSV: one line per service, school and band.
pub fn meals_csv(report: &MealsReport) -> ApiResult<(String, Vec<u8>)> {
    let body = csv_file(
        MEALS_CSV_HEADER,
        report.rows.iter().map(|m| {
            [
                m.service.clone(),
                m.school.clone(),
                m.band.clone(),
                m.meals.to_string(),
                m.amount.to_string(),
            ]
        }),
    )?;
    Ok((format!("pasti-serviti-{}.csv", report.month), body))
}

/// The balances as CSV: one line per account.
pub fn balances_csv(report: &BalancesReport) -> ApiResult<(String, Vec<u8>)> {
    let body = csv_file(
        BALANCES_CSV_HEADER,
        report.rows.iter().map(|b| {
            [
                report.on.to_string(),
                b.family.clone(),
                b.fiscal_code.clone(),
                b.service.clone(),
                b.balance.to_string(),
            ]
        }),
    )?;
    Ok((format!("saldi-{}.csv", report.on), body))
}
