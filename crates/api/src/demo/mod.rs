//! Demo data for a first look and for tests: two comuni (`entes`) with their families
//! and staff (`families`), news and documents (`content`), the canteen's school calendar
//! (`calendar`), one family's money (`payments`), the forms of Moduli online with
//! that family's request (`forms`) and that family's letters (`letters`). Loaded only
//! into an empty database, dated around the server's clock.

mod calendar;
mod content;
mod entes;
mod families;
mod forms;
mod letters;
mod payments;

use std::fmt::Display;

use sea_orm::{DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, TransactionTrait};
use sportello_model::rome;
use sportello_pagopa::{PaymentMethod, SimulatorGateway};
use time::OffsetDateTime;

use crate::accounts::secrets::hash_password;
use crate::entes::entity::ente;
use crate::payments::receipts;

/// Password of every demo account (listed in the README).
pub const DEMO_PASSWORD: &str = "Sportello2026";

/// What is seeded for one comune.
struct Comune {
    ente: entes::Comune,
    people: families::People,
    content: content::Content,
    /// Whether the first family gets its money seeded (`payments`), and the second its
    /// unpaid canteen account.
    money: bool,
}

const COMUNI: [Comune; 2] = [
    Comune {
        ente: entes::DEMO,
        people: families::DEMO,
        content: content::DEMO,
        money: true,
    },
    Comune {
        ente: entes::ESEMPIO,
        people: families::ESEMPIO,
        content: content::ESEMPIO,
        money: false,
    },
];

/// A failure outside the database while seeding, as the seeding's error.
fn custom(error: impl Display) -> DbErr {
    DbErr::Custom(error.to_string())
}

/// Loads the demo data into an empty database, dated around `now` (the server's clock).
/// Returns whether it did.
pub async fn load_if_empty(db: &DatabaseConnection, now: OffsetDateTime) -> Result<bool, DbErr> {
    if ente::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let hash = hash_password(DEMO_PASSWORD).await.map_err(custom)?;
    let today = rome::today(now);
    let txn = db.begin().await?;
    let mut counter_payments = Vec::new();
    for comune in &COMUNI {
        let (ente, services) = entes::insert(&txn, &comune.ente, now).await?;
        let families = families::insert(&txn, &ente, &services, &comune.people, &hash, now).await?;
        content::insert(&txn, ente.ente_id(), &comune.content, now).await?;
        let service = |code: &str| {
            services
                .iter()
                .find(|s| s.code == code)
                .ok_or_else(|| custom(format!("no demo service {code}")))
        };
        if let (true, Some(family)) = (comune.money, families.first()) {
            let notice =
                payments::insert(&txn, &ente, family, service("REF")?, service("TRA")?, now)
                    .await?;
            counter_payments.push((ente.fiscal_code.clone(), notice));
            forms::insert(&txn, &ente, family, service("REF")?, service("TRA")?, now).await?;
            letters::insert(&txn, &ente, family, now).await?;
        }
        if let (true, Some(family)) = (comune.money, families.get(1)) {
            payments::unpaid(&txn, &ente, family, service("REF")?, now).await?;
        }
        for s in services.iter().filter(|s| s.kind.serves_meals()) {
            calendar::insert(&txn, ente.ente_id(), s.id, today).await?;
        }
    }
    txn.commit().await?;
    // The first retta was paid at a counter: through the real receipt path.
    for (fiscal_code, notice) in counter_payments {
        let receipt = SimulatorGateway::new()
            .simulate_payment(
                &fiscal_code,
                &notice.notice_number,
                notice.amount_cents,
                PaymentMethod::Counter,
                None,
                now,
            )
            .map_err(custom)?;
        receipts::process(db, &receipt, now).await.map_err(custom)?;
    }
    Ok(true)
}
