//! Solleciti: the comune's schedule of reminders, the debts due for a step of it, and
//! sending them. A debt is a prepaid account below zero (since the day its ledger went
//! negative and stayed so) or a retta still to pay after its due date. Each reminder is
//! a «Sollecito» letter with its e-mail (and, for a comune with App IO, a message with
//! the notice's `payment_data`) asking to pay one pagoPA notice:
//!
//! - a negative account gets a FRESH recharge notice of exactly the debt, registered
//!   with pagoPA like any recharge: paying it brings the balance to zero;
//! - an overdue retta gets its OWN notice again: a retta's notice has a due date, which
//!   never stops payment, so it is still payable; a second notice for the same retta
//!   would let the family pay it twice.
//!
//! Each step of a debt is sent once: the reminder row, unique per comune, debt and step,
//! is the first write of the transaction that then writes its notice and letter, so of a
//! run twice, two runs at once or two replicas, one claims it and the others find it
//! taken and write nothing. A debt settled (balance back to zero or above, retta paid) is due for nothing more;
//! an account negative again later is a new debt, from the first step.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr, TransactionTrait,
};
use sportello_model::entes::ServiceKind;
use sportello_model::format::{date as italian_date, euro_cents};
use sportello_model::letters::LetterKind;
use sportello_model::money::cents_to_decimal;
use sportello_model::payments::{EmissionStatus, NoticeState};
use sportello_model::reminders::{
    check_steps, due_step, DebtKind, DueReminder, ReminderSchedule, RemindersOverview, SentReminder,
};
use sportello_model::rome;
use sportello_pagopa::PaymentGateway;
use time::{Date, OffsetDateTime};

use super::entity::{
    emission, ledger_movement, payment_notice, prepaid_account, reminder, reminder_schedule,
};
use super::notices::{self, NewNotice};
use crate::accounts::entity::user;
use crate::communications::letters::{self, Outgoing, Recipient, Sender};
use crate::db::{upsert, EnteId, TenantScoped};
use crate::entes::entity::{ente, service};
use crate::error::{ApiError, ApiResult};

/// How many reminders sent the operators' page lists, newest first.
const SENT_SHOWN: u64 = 100;

/// The comune's schedule; the default (off, 7 and 21 days) when it has none.
pub async fn schedule<C: ConnectionTrait>(db: &C, ente_id: EnteId) -> ApiResult<ReminderSchedule> {
    let Some(row) = reminder_schedule::Entity::find_in_ente(ente_id)
        .one(db)
        .await?
    else {
        return Ok(ReminderSchedule::default());
    };
    let steps = row
        .steps
        .split(',')
        .map(|day| day.trim().parse::<i32>().map_err(ApiError::internal))
        .collect::<ApiResult<Vec<i32>>>()?;
    check_steps(&steps).map_err(|e| ApiError::internal(e.message))?;
    Ok(ReminderSchedule {
        enabled: row.enabled,
        steps,
    })
}

/// Stores the comune's schedule, checked by the model's rule.
pub async fn set_schedule(
    db: &DatabaseConnection,
    ente_id: EnteId,
    new: &ReminderSchedule,
    now: OffsetDateTime,
) -> ApiResult<ReminderSchedule> {
    ApiError::check(new.problems())?;
    let steps = new
        .steps
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    upsert(
        db,
        [reminder_schedule::ActiveModel {
            ente_id: Set(ente_id),
            enabled: Set(new.enabled),
            steps: Set(steps),
            updated_at: Set(now),
            ..Default::default()
        }],
        [reminder_schedule::Column::EnteId],
        [
            reminder_schedule::Column::Enabled,
            reminder_schedule::Column::Steps,
            reminder_schedule::Column::UpdatedAt,
        ],
    )
    .await?;
    schedule(db, ente_id).await
}

/// A debt due for a step.
struct Due {
    owed: Debt,
    step: i32,
}

impl std::ops::Deref for Due {
    type Target = Debt;

    fn deref(&self) -> &Debt {
        &self.owed
    }
}

impl Due {
    fn view(&self) -> DueReminder {
        DueReminder {
            kind: self.kind,
            kind_label: self.kind.label().into(),
            guardian_id: self.guardian.id,
            family: self.guardian.full_name(),
            debt: self.debt.clone(),
            amount: cents_to_decimal(self.amount_cents),
            since: self.since,
            step: self.step,
        }
    }
}

/// A debt of a family, before the step it is due for: what the reminders and the Morosi
/// report read.
pub(crate) struct Debt {
    pub kind: DebtKind,
    /// `account:<id>:<day it went negative>` or `emission:<id>`, as its reminders name it.
    pub debt_key: String,
    pub guardian: user::Model,
    pub service: service::Model,
    pub account_id: Option<i64>,
    pub emission: Option<emission::Model>,
    /// The service's name, or the retta's title.
    pub debt: String,
    pub amount_cents: i64,
    /// The day the account went negative, or the retta's due date.
    pub since: Date,
}

/// The latest step sent of each of these debts.
pub(crate) async fn last_sent<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    keys: Vec<String>,
) -> ApiResult<HashMap<String, i32>> {
    let mut sent: HashMap<String, i32> = HashMap::new();
    for chunk in keys.chunks(super::ledger::BATCH_ROWS) {
        let rows: Vec<(String, i32)> = reminder::Entity::find_in_ente(ente_id)
            .select_only()
            .column(reminder::Column::DebtKey)
            .column(reminder::Column::Step)
            .filter(reminder::Column::DebtKey.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        for (key, step) in rows {
            let latest = sent.entry(key).or_default();
            *latest = (*latest).max(step);
        }
    }
    Ok(sent)
}

/// The Europe/Rome day the account went below zero and stayed there: the day of the
/// first movement after the last one that left it at zero or above.
async fn negative_since<C: ConnectionTrait>(
    db: &C,
    account: &prepaid_account::Model,
) -> ApiResult<Option<Date>> {
    let last_settled: Option<i64> = ledger_movement::Entity::find()
        .select_only()
        .column(ledger_movement::Column::Id)
        .filter(ledger_movement::Column::EnteId.eq(account.ente_id))
        .filter(ledger_movement::Column::AccountId.eq(account.id))
        .filter(ledger_movement::Column::BalanceAfterCents.gte(0))
        .order_by_desc(ledger_movement::Column::Id)
        .into_tuple()
        .one(db)
        .await?;
    let first_negative = ledger_movement::Entity::find()
        .filter(ledger_movement::Column::EnteId.eq(account.ente_id))
        .filter(ledger_movement::Column::AccountId.eq(account.id))
        .filter(ledger_movement::Column::Id.gt(last_settled.unwrap_or(0)))
        .order_by_asc(ledger_movement::Column::Id)
        .one(db)
        .await?;
    Ok(first_negative.map(|m| rome::today(m.created_at)))
}

/// The debts of the comune: every prepaid account below zero, and every retta still to
/// pay whose due date is `overdue_by` or earlier. A debt whose guardian is gone is left
/// out.
pub(crate) async fn debts<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    overdue_by: Date,
) -> ApiResult<Vec<Debt>> {
    let services: HashMap<i64, service::Model> = service::Entity::find_in_ente(ente_id)
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut negative = Vec::new();
    for account in prepaid_account::Entity::find_in_ente(ente_id)
        .filter(prepaid_account::Column::BalanceCents.lt(0))
        .order_by_asc(prepaid_account::Column::Id)
        .all(db)
        .await?
    {
        if !services
            .get(&account.service_id)
            .is_some_and(|s| s.kind == ServiceKind::Prepaid)
        {
            continue;
        }
        if let Some(since) = negative_since(db, &account).await? {
            negative.push((account, since));
        }
    }
    let overdue = emission::Entity::find_in_ente(ente_id)
        .filter(emission::Column::Status.eq(EmissionStatus::ToPay))
        .filter(emission::Column::DueDate.lte(overdue_by))
        .filter(
            emission::Column::NoticeId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(payment_notice::Column::Id)
                    .from(payment_notice::Entity)
                    .and_where(payment_notice::Column::EnteId.eq(ente_id))
                    .and_where(payment_notice::Column::Status.eq(NoticeState::Open))
                    .to_owned(),
            ),
        )
        .order_by_asc(emission::Column::DueDate)
        .order_by_asc(emission::Column::Id)
        .all(db)
        .await?;
    let guardians: HashMap<i64, user::Model> = user::Entity::find_in_ente(ente_id)
        .filter(
            user::Column::Id.is_in(
                negative
                    .iter()
                    .map(|(a, _)| a.guardian_id)
                    .chain(overdue.iter().map(|e| e.guardian_id)),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut debts = Vec::new();
    for (account, since) in negative {
        let (Some(service), Some(guardian)) = (
            services.get(&account.service_id),
            guardians.get(&account.guardian_id),
        ) else {
            continue;
        };
        debts.push(Debt {
            kind: DebtKind::NegativeBalance,
            debt_key: format!("account:{}:{since}", account.id),
            guardian: guardian.clone(),
            service: service.clone(),
            account_id: Some(account.id),
            emission: None,
            debt: service.name.clone(),
            amount_cents: -account.balance_cents,
            since,
        });
    }
    for e in overdue {
        let (Some(service), Some(guardian)) =
            (services.get(&e.service_id), guardians.get(&e.guardian_id))
        else {
            continue;
        };
        debts.push(Debt {
            kind: DebtKind::OverdueEmission,
            debt_key: format!("emission:{}", e.id),
            guardian: guardian.clone(),
            service: service.clone(),
            account_id: None,
            debt: e.title.clone(),
            amount_cents: e.amount_cents,
            since: e.due_date,
            emission: Some(e),
        });
    }
    Ok(debts)
}

/// The debts of the comune due for a step of `steps` on `today`, families by name.
async fn due<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    steps: &[i32],
    today: Date,
) -> ApiResult<Vec<Due>> {
    let Some(&first_step) = steps.first() else {
        return Ok(Vec::new());
    };
    let debts = debts(db, ente_id, today - time::Duration::days(first_step.into())).await?;
    let sent = last_sent(
        db,
        ente_id,
        debts.iter().map(|d| d.debt_key.clone()).collect::<Vec<_>>(),
    )
    .await?;
    let mut due = Vec::new();
    for d in debts {
        let last = sent.get(&d.debt_key).copied().unwrap_or(0);
        let Some(step) = due_step(steps, d.since, today, last) else {
            continue;
        };
        due.push(Due { owed: d, step });
    }
    due.sort_by(|a, b| {
        (
            a.guardian.last_name.as_str(),
            a.guardian.first_name.as_str(),
            a.since,
        )
            .cmp(&(
                b.guardian.last_name.as_str(),
                b.guardian.first_name.as_str(),
                b.since,
            ))
    });
    Ok(due)
}

/// Solleciti for operators: the schedule, what is due now (when the schedule is on) and
/// the latest reminders sent, with whether their debt is settled now.
pub async fn overview(
    db: &DatabaseConnection,
    ente_id: EnteId,
    now: OffsetDateTime,
) -> ApiResult<RemindersOverview> {
    let schedule = schedule(db, ente_id).await?;
    let due_now = if schedule.enabled {
        due(db, ente_id, &schedule.steps, rome::today(now)).await?
    } else {
        Vec::new()
    };
    let rows = reminder::Entity::find_in_ente(ente_id)
        .order_by_desc(reminder::Column::CreatedAt)
        .order_by_desc(reminder::Column::Id)
        .limit(SENT_SHOWN)
        .all(db)
        .await?;
    let guardians: HashMap<i64, String> = user::Entity::find_in_ente(ente_id)
        .filter(user::Column::Id.is_in(rows.iter().map(|r| r.guardian_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.full_name()))
        .collect();
    let notices: HashMap<i64, payment_notice::Model> =
        payment_notice::Entity::find_in_ente(ente_id)
            .filter(payment_notice::Column::Id.is_in(rows.iter().filter_map(|r| r.notice_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|n| (n.id, n))
            .collect();
    let balances: HashMap<i64, i64> = prepaid_account::Entity::find_in_ente(ente_id)
        .filter(prepaid_account::Column::Id.is_in(rows.iter().filter_map(|r| r.account_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.balance_cents))
        .collect();
    let sent = rows
        .into_iter()
        .map(|r| {
            let notice = r.notice_id.and_then(|id| notices.get(&id));
            let paid = match r.kind {
                DebtKind::NegativeBalance => r
                    .account_id
                    .and_then(|id| balances.get(&id))
                    .is_some_and(|&balance| balance >= 0),
                DebtKind::OverdueEmission => notice.is_some_and(|n| n.status == NoticeState::Paid),
            };
            SentReminder {
                id: r.id,
                kind: r.kind,
                kind_label: r.kind.label().into(),
                guardian_id: r.guardian_id,
                family: guardians.get(&r.guardian_id).cloned().unwrap_or_default(),
                debt: r.debt,
                amount: cents_to_decimal(r.amount_cents),
                since: r.since,
                step: r.step,
                sent_at: r.created_at,
                notice_number: notice
                    .map(|n| n.notice_number.to_string())
                    .unwrap_or_default(),
                paid,
            }
        })
        .collect();
    Ok(RemindersOverview {
        schedule,
        due: due_now.iter().map(Due::view).collect(),
        sent,
    })
}

/// Sends the reminders due in the comune `ente` (none when its schedule is off), each
/// on the channels of `channels` (for a comune with App IO, also as an App IO message
/// carrying the notice to pay). Returns how many this run sent: a step another run sent
/// first is skipped.
pub async fn run(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    ente: &ente::Model,
    channels: &sportello_notify::Settings,
    now: OffsetDateTime,
) -> ApiResult<u64> {
    let schedule = schedule(db, ente.ente_id()).await?;
    if !schedule.enabled {
        return Ok(0);
    }
    let sender = Sender::for_ente(channels, ente);
    let mut sent = 0;
    for debt in due(db, ente.ente_id(), &schedule.steps, rome::today(now)).await? {
        if send(db, gateway, ente, &sender, &debt, now).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// The job: the reminders due in every comune whose schedule is on.
pub async fn run_all(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    channels: &sportello_notify::Settings,
    now: OffsetDateTime,
) -> ApiResult<u64> {
    let enabled: Vec<EnteId> = reminder_schedule::Entity::find()
        .filter(reminder_schedule::Column::Enabled.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.ente_id)
        .collect();
    let mut sent = 0;
    for ente_id in enabled {
        let ente = crate::entes::service::by_id(db, ente_id).await?;
        sent += run(db, gateway, &ente, channels, now).await?;
    }
    Ok(sent)
}

/// The letter's text: what is owed since when, and the notice to pay it with.
fn letter_body(debt: &Due, notice: &payment_notice::Model) -> String {
    let amount = euro_cents(debt.amount_cents);
    let owed = match debt.kind {
        DebtKind::NegativeBalance => format!(
            "il conto del servizio {} risulta negativo di **{amount}** dal {}.",
            debt.debt,
            italian_date(debt.since)
        ),
        DebtKind::OverdueEmission => format!(
            "la retta «{}» di **{amount}** del servizio {} era da pagare entro il {} e non risulta ancora pagata.",
            debt.debt,
            debt.service.name,
            italian_date(debt.since)
        ),
    };
    format!(
        "Gentile {},\n\n{owed}\n\nTi chiediamo di pagare {amount} con l'avviso pagoPA numero **{}**{}: dallo Sportello, alla voce Pagamenti, dove trovi anche l'avviso in PDF con il codice QR da pagare presso banche, uffici postali, tabaccherie e punti abilitati, oppure con l'app IO.\n\nSe hai già pagato, non considerare questo sollecito.",
        debt.guardian.full_name(),
        notice.notice_number,
        match notices::deadline(notice) {
            deadline if deadline.expires() => format!(", {}", deadline.text()),
            _ => String::new(),
        }
    )
}

/// Withdraws the notices that earlier steps of an account's debt sent and that are still
/// open: the new step's notice, of the debt as it is now, replaces them, so that the
/// family cannot pay the debt twice.
async fn withdraw_earlier(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    ente: &ente::Model,
    debt: &Due,
) -> ApiResult<()> {
    let earlier: Vec<Option<i64>> = reminder::Entity::find_in_ente(ente.ente_id())
        .select_only()
        .column(reminder::Column::NoticeId)
        .filter(reminder::Column::DebtKey.eq(debt.debt_key.as_str()))
        .filter(reminder::Column::Step.lt(debt.step))
        .into_tuple()
        .all(db)
        .await?;
    let open = payment_notice::Entity::find_in_ente(ente.ente_id())
        .filter(payment_notice::Column::Id.is_in(earlier.into_iter().flatten()))
        .filter(payment_notice::Column::Status.eq(NoticeState::Open))
        .all(db)
        .await?;
    for notice in open {
        notices::cancel(db, gateway, ente, &notice).await?;
    }
    Ok(())
}

/// Sends one reminder: claims its row (the unique key of debt and step), then writes its
/// notice (fresh for an account, after withdrawing the earlier steps' notices still
/// open; the retta's own for a retta), its letter with the e-mail and its App IO
/// message, all in one transaction committed once pagoPA has registered a fresh notice.
/// `false` when another run sent this step first, or when an earlier notice could not be
/// withdrawn (paid meanwhile, or pagoPA unreachable): the next run looks again.
async fn send(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    ente: &ente::Model,
    sender: &Sender,
    debt: &Due,
    now: OffsetDateTime,
) -> ApiResult<bool> {
    let today = rome::today(now);
    if debt.emission.is_none() {
        match withdraw_earlier(db, gateway, ente, debt).await {
            Ok(()) => {}
            Err(ApiError::Conflict(reason)) => {
                tracing::info!(debt = %debt.debt_key, step = debt.step, %reason, "reminder postponed");
                return Ok(false);
            }
            Err(err) => return Err(err),
        }
    }
    let txn = db.begin().await?;
    // The claim comes first: of two runs at once, the second waits on it and finds the
    // step taken (SQLite: the first write takes the database's write lock).
    let claimed = reminder::ActiveModel {
        ente_id: Set(ente.ente_id()),
        debt_key: Set(debt.debt_key.clone()),
        step: Set(debt.step),
        kind: Set(debt.kind),
        guardian_id: Set(debt.guardian.id),
        account_id: Set(debt.account_id),
        emission_id: Set(debt.emission.as_ref().map(|e| e.id)),
        debt: Set(debt.debt.clone()),
        amount_cents: Set(debt.amount_cents),
        since: Set(debt.since),
        notice_id: Set(None),
        letter_id: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let claimed = match claimed {
        Ok(row) => row,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            txn.rollback().await?;
            return Ok(false);
        }
        Err(err) => return Err(err.into()),
    };
    let (notice, fresh) = match &debt.emission {
        None => (
            notices::create(
                &txn,
                ente,
                NewNotice::recharge(
                    &debt.service,
                    &debt.guardian,
                    debt.amount_cents,
                    false,
                    today,
                ),
                now,
            )
            .await?,
            true,
        ),
        Some(e) => (
            payment_notice::Entity::find_in_ente(ente.ente_id())
                .filter(payment_notice::Column::Id.eq(e.notice_id))
                .one(&txn)
                .await?
                .ok_or_else(|| ApiError::internal("a retta without its notice"))?,
            false,
        ),
    };
    let title = match debt.kind {
        DebtKind::NegativeBalance => format!("Sollecito di pagamento: conto {}", debt.debt),
        DebtKind::OverdueEmission => format!("Sollecito di pagamento: {}", debt.debt),
    };
    let body = letter_body(debt, &notice);
    let payment = sender.app_io.then(|| notices::payment_data(ente, &notice));
    let letter_ids = letters::write(
        &txn,
        &Outgoing {
            ente_id: ente.ente_id(),
            sender,
            communication_id: None,
            kind: LetterKind::Reminder,
            title: &title,
            body: &body,
            attachment_id: None,
            urgent: false,
            payment_data: payment,
        },
        &[Recipient {
            guardian_id: debt.guardian.id,
            children: debt
                .emission
                .as_ref()
                .and_then(|e| e.child_id)
                .into_iter()
                .collect(),
        }],
        now,
    )
    .await?;
    let letter_id = *letter_ids
        .get(&debt.guardian.id)
        .ok_or_else(|| ApiError::internal("a reminder's letter just written is missing"))?;
    reminder::Entity::update_many()
        .col_expr(reminder::Column::NoticeId, Expr::value(notice.id))
        .col_expr(reminder::Column::LetterId, Expr::value(letter_id))
        .filter(reminder::Column::EnteId.eq(ente.ente_id()))
        .filter(reminder::Column::Id.eq(claimed.id))
        .exec(&txn)
        .await?;
    if fresh {
        notices::register_and_commit(txn, gateway, ente, &notice, &debt.guardian).await?;
    } else {
        txn.commit().await?;
    }
    Ok(true)
}
