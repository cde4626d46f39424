//! A family's money: a recharged canteen account with the meals of the last week
//! charged, and three transport rette; another family's canteen account left negative by
//! last school year's meals, so the enrolment gate refuses it.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};
use sportello_model::payments::{
    emission_description, EmissionStatus, MovementKind, NoticePurpose,
};
use sportello_model::school_year::SchoolYear;
use sportello_model::{format, rome};
use time::OffsetDateTime;

use super::custom;
use super::families::Seeded;
use crate::entes::entity::{ente, service};
use crate::payments::entity::{emission, emission_line, payment_notice};
use crate::payments::ledger::{self, NewMovement};
use crate::payments::notices;

/// The rette of the first child: month, amount in cents, due in days from today.
const RETTE: [(&str, i64, i64); 3] = [
    ("Novembre 2026", 4760, 5),
    ("Dicembre 2026", 6120, 35),
    ("Gennaio 2027", 4760, 65),
];

/// Seeds `family`'s money: 50,00 € recharged on the canteen account (`refezione`) eight
/// days ago, a 5,00 € meal per child and weekday since, and the first child's transport
/// rette (`trasporto`). Returns the notice of the first retta.
pub(super) async fn insert<C: ConnectionTrait>(
    db: &C,
    ente: &ente::Model,
    family: &Seeded,
    refezione: &service::Model,
    trasporto: &service::Model,
    now: OffsetDateTime,
) -> Result<payment_notice::Model, DbErr> {
    let guardian = &family.guardian;
    let account = ledger::account(db, ente.ente_id(), guardian.id, refezione.id, now)
        .await
        .map_err(custom)?;
    ledger::append(
        db,
        &account,
        NewMovement::new(MovementKind::Recharge, 5000, "Ricarica pagoPA".into()),
        now - time::Duration::days(8),
    )
    .await?;
    let today = rome::today(now);
    let mut day = today - time::Duration::days(7);
    while day < today {
        if day.weekday().number_from_monday() <= 5 {
            for c in &family.children {
                ledger::append(
                    db,
                    &account,
                    NewMovement {
                        child_id: Some(c.id),
                        service_day: Some(day),
                        meal_key: Some(format!("{}:{}:{day}", c.id, refezione.id)),
                        ..NewMovement::new(
                            MovementKind::Meal,
                            -500,
                            format!("Pasto del {}", format::date(day)),
                        )
                    },
                    now,
                )
                .await?;
            }
        }
        day += time::Duration::days(1);
    }
    let child = family
        .children
        .first()
        .ok_or_else(|| custom("a demo family without children"))?;
    let child_name = format!("{} {}", child.first_name, child.last_name);
    let mut first = None;
    for (month, amount, due_in_days) in RETTE {
        let title = format!("Retta {month}");
        let due_date = today + time::Duration::days(due_in_days);
        let notice = notices::create(
            db,
            ente,
            notices::NewNotice {
                guardian_id: guardian.id,
                service_id: trasporto.id,
                purpose: NoticePurpose::Emission,
                amount_cents: amount,
                description: emission_description(&title, &trasporto.name, Some(&child_name)),
                due_date: Some(due_date),
                expires_on: None,
                online_only: false,
            },
            now,
        )
        .await
        .map_err(custom)?;
        let emission = emission::ActiveModel {
            ente_id: Set(ente.ente_id()),
            guardian_id: Set(guardian.id),
            service_id: Set(trasporto.id),
            child_id: Set(Some(child.id)),
            notice_id: Set(notice.id),
            title: Set(title),
            due_date: Set(due_date),
            amount_cents: Set(amount),
            status: Set(EmissionStatus::ToPay),
            external_ref: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        emission_line::ActiveModel {
            emission_id: Set(emission.id),
            position: Set(0),
            description: Set(format!("Trasporto scolastico {child_name} - {month}")),
            amount_cents: Set(amount),
            ..Default::default()
        }
        .insert(db)
        .await?;
        first.get_or_insert(notice);
    }
    first.ok_or_else(|| custom("no demo emission"))
}

/// What last school year's meals left unpaid on the second family's canteen account.
const UNPAID_CENTS: i64 = 2340;

/// Seeds `family`'s unpaid canteen account (`refezione`): the office's correction of
/// last school year's meals not paid, [`UNPAID_CENTS`] to pay.
pub(super) async fn unpaid<C: ConnectionTrait>(
    db: &C,
    ente: &ente::Model,
    family: &Seeded,
    refezione: &service::Model,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let account = ledger::account(db, ente.ente_id(), family.guardian.id, refezione.id, now)
        .await
        .map_err(custom)?;
    let this_year = SchoolYear::containing(rome::today(now));
    let last_year = SchoolYear::starting(this_year.start_year() - 1);
    ledger::append(
        db,
        &account,
        NewMovement::new(
            MovementKind::Adjustment,
            -UNPAID_CENTS,
            format!("Pasti dell'anno scolastico {last_year} non pagati"),
        ),
        now - time::Duration::days(30),
    )
    .await?;
    Ok(())
}
