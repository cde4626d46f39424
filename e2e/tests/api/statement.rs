//! The prepaid account's statement (newest first, for the family and the office alike)
//! and the office's corrections: refunds and adjustments with a reason, once per request.

use e2e::payments::submit_checkout;
use e2e::{field_error, json, problem, TestServer, ANNA, GIULIA_OPERATOR, LAURA_DELEGATE};
use reqwest::StatusCode;
use sportello_model::bookings::ChargeReport;
use sportello_model::children::ChildDetail;
use sportello_model::paths;
use sportello_model::payments::{Movement, MovementKind, Statement};

use crate::recharges::NOT_A_NUMBER;

#[tokio::test]
async fn the_statement_shows_the_newest_movement_first_by_its_date() {
    // Tuesday 24/11/2026: last week's meals are charged after today's top-up.
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", "2026-11-24T10:00:00Z")]).await;
    let (anna, service) = server.canteen_family(ANNA).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let started = anna.recharge_online(service, "20").await;
    let paid = submit_checkout(&started.checkout_url, "pay", "carta").await;
    assert!(paid.contains("esito=ok"), "{paid}");
    for day in ["2026-11-18", "2026-11-19", "2026-11-20"] {
        let charge = serde_json::json!({ "service_id": service, "day": day });
        let charged = giulia.post(&paths::charges(), &charge).await;
        json::<ChargeReport>(charged, StatusCode::OK).await;
    }
    let theirs = paths::statement(service);
    let page = |n: u32| format!("?per_page=2&page={n}");
    let first: Statement = anna.get_ok(&format!("{theirs}{}", page(1))).await;
    let second: Statement = anna.get_ok(&format!("{theirs}{}", page(2))).await;
    let read: Vec<_> = first
        .movements
        .items
        .iter()
        .chain(&second.movements.items)
        .map(|m| (m.kind, m.day.map(|d| d.to_string())))
        .collect();
    assert_eq!(
        read,
        [
            (MovementKind::Recharge, None),
            (MovementKind::Meal, Some("2026-11-20".into())),
            (MovementKind::Meal, Some("2026-11-19".into())),
            (MovementKind::Meal, Some("2026-11-18".into())),
        ],
        "today's top-up first, then the meals from the newest school day"
    );
    // The office reads the family's statement in the same order.
    let family = paths::family_statement(service, anna.user.id);
    let office: Statement = giulia.get_ok(&format!("{family}{}", page(1))).await;
    assert_eq!(office.movements.items, first.movements.items);
}

/// A correction as the office's form sends it.
fn correction(kind: &str, amount: &str, reason: &str, request: &str) -> serde_json::Value {
    serde_json::json!({ "kind": kind, "amount": amount, "reason": reason, "request_id": request })
}

#[tokio::test]
async fn the_office_refunds_and_adjusts_an_account_with_a_reason_once_per_request() {
    let server = TestServer::start().await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let (anna, service) = server.canteen_family(ANNA).await;
    // The office finds the family from the child's card.
    let luca = server.child_named(giulia.token(), "Luca").await;
    let card: ChildDetail = giulia.get_ok(&paths::child(luca)).await;
    let movements = paths::family_movements(service, card.guardian_id);
    let correct = |body: serde_json::Value| {
        let (giulia, movements) = (&giulia, &movements);
        async move { giulia.post(movements, &body).await }
    };

    // Anna settled last year's unpaid meals (23,40 €) at the office.
    let settled = correction(
        "adjustment",
        "23,40",
        "Pasti non pagati saldati all'ufficio",
        "r-0",
    );
    json::<Movement>(correct(settled).await, StatusCode::CREATED).await;
    let credit = correction("adjustment", "4,20", "Pasto del 20/11 non consumato", "r-1");
    let made: Movement = json(correct(credit.clone()).await, StatusCode::CREATED).await;
    assert_eq!(made.kind, MovementKind::Adjustment);
    assert_eq!(made.description, "Rettifica: Pasto del 20/11 non consumato");
    // The office's connection dropped and the form was sent again: nothing more.
    let again: Movement = json(correct(credit).await, StatusCode::OK).await;
    assert_eq!(again.id, made.id);

    let moving = "Trasferimento ad altro Comune";
    let too_much = correct(correction("refund", "10", moving, "r-2")).await;
    assert_eq!(
        problem(too_much, StatusCode::CONFLICT).await.detail,
        "Il rimborso non può superare il saldo disponibile di 4,20 €."
    );
    let refund = correct(correction("refund", "4.20", moving, "r-3")).await;
    json::<Movement>(refund, StatusCode::CREATED).await;
    // Comune di Demo allows a negative balance: a debit may take it below zero.
    let twice = "Ricarica registrata due volte";
    let debit = correct(correction("adjustment", "-5,00", twice, "r-4")).await;
    json::<Movement>(debit, StatusCode::CREATED).await;

    let bad = correct(correction("refund", "-3", " ", "r-5")).await;
    let bad = problem(bad, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        bad.field_message("amount"),
        Some("Il rimborso si indica con un importo positivo.")
    );
    assert!(bad.field_message("reason").is_some());
    // An exponent is not an amount: nothing is credited.
    for typed in ["1e3", "1E2", "1_0", "+5"] {
        let request = format!("r-{typed}");
        let bad = correct(correction("adjustment", typed, "Prova", &request)).await;
        assert_eq!(field_error(bad, "amount").await, NOT_A_NUMBER, "{typed}");
    }

    // The family reads each correction with its reason; the office sees the same.
    let theirs = anna.statement(service).await;
    assert_eq!(theirs.account.balance.to_string(), "-5.00");
    let descriptions: Vec<_> = theirs
        .movements
        .items
        .iter()
        .take(4)
        .map(|m| (m.kind, m.amount.to_string(), m.description.as_str()))
        .collect();
    let unpaid = theirs.movements.items.last().expect("last year's meals");
    assert_eq!(
        (unpaid.kind, unpaid.amount.to_string()),
        (MovementKind::Adjustment, "-23.40".into())
    );
    assert_eq!(
        descriptions,
        [
            (
                MovementKind::Adjustment,
                "-5.00".into(),
                "Rettifica: Ricarica registrata due volte"
            ),
            (
                MovementKind::Refund,
                "-4.20".into(),
                "Rimborso: Trasferimento ad altro Comune"
            ),
            (
                MovementKind::Adjustment,
                "4.20".into(),
                "Rettifica: Pasto del 20/11 non consumato"
            ),
            (
                MovementKind::Adjustment,
                "23.40".into(),
                "Rettifica: Pasti non pagati saldati all'ufficio"
            ),
        ]
    );
    let family = paths::family_statement(service, card.guardian_id);
    let office: Statement = giulia.get_ok(&family).await;
    assert_eq!(office.movements.items, theirs.movements.items);

    // Families and delegates cannot correct accounts; a delegate is not a family.
    let gift = correction("adjustment", "100", "Regalo", "r-6");
    problem(anna.post(&movements, &gift).await, StatusCode::FORBIDDEN).await;
    let laura = server.login("demo", LAURA_DELEGATE).await;
    let delegate = paths::family_movements(service, laura.user.id);
    let refused = giulia
        .post(&delegate, &correction("adjustment", "1", "Prova", "r-7"))
        .await;
    problem(refused, StatusCode::NOT_FOUND).await;
}
