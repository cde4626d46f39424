//! Recharges of the canteen account online through the simulated pagoPA Checkout, the
//! comune's recharge rule, and who may see money.

use e2e::payments::{checkout_page, submit_checkout};
use e2e::{field_error, problem, TestServer, ANNA, GIULIA_OPERATOR, GIUSEPPE_ESEMPIO};
use e2e::{LAURA_DELEGATE, MARIO};
use reqwest::StatusCode;
use sportello_model::paths;
use sportello_model::payments::{MovementKind, Notice, NoticeStatus, PaymentService};
use sportello_model::Page;

/// What an amount that is not a number is told, wherever it is typed.
pub(crate) const NOT_A_NUMBER: &str =
    "Scrivi l'importo in cifre, con la virgola per i decimali (ad esempio 54,00 o 1.234,50).";

#[tokio::test]
async fn guardian_recharges_online_through_the_pagopa_checkout() {
    let server = TestServer::start().await;
    // Anna Colombo's canteen account starts 23,40 € short (last year's meals).
    let anna = server.user("demo", ANNA).await;
    let service = anna.refezione().await;
    assert_eq!(service.balance.unwrap().to_string(), "-23.40");

    let started = anna.recharge_online(service.service_id, "54,00").await;
    assert_eq!(started.notice.amount.to_string(), "54.00");
    assert_eq!(started.notice.status, NoticeStatus::Open);
    assert!(sportello_pagopa_number_is_valid(
        &started.notice.notice_number
    ));

    let page = checkout_page(&started.checkout_url).await;
    assert!(page.contains("54,00 €"), "{page}");
    assert!(page.contains("Satispay"));
    let back = submit_checkout(&started.checkout_url, "pay", "satispay").await;
    let (service_id, notice_id) = (service.service_id, started.notice.id);
    let service_page = format!("{}/demo/pagamenti/{service_id}", server.url);
    assert!(
        back.starts_with(&format!("{service_page}?esito=ok&carrello=")),
        "{back}"
    );

    let after = anna.statement(service_id).await;
    assert_eq!(after.account.balance.to_string(), "30.60");
    assert_eq!(
        sportello_model::format::euro(after.account.balance),
        "30,60 €"
    );
    assert_eq!(after.movements.total, 2);
    assert_eq!(after.movements.items[0].kind, MovementKind::Recharge);
    assert_eq!(after.movements.items[0].amount.to_string(), "54.00");

    // Submitting the same checkout again (back button, double click) pays nothing more,
    // and goes back to the same place: this cart was paid.
    let again = submit_checkout(&started.checkout_url, "pay", "carta").await;
    assert_eq!(again, back);
    assert_eq!(anna.notice(notice_id).await.status, NoticeStatus::Paid);
    problem(anna.checkout(notice_id).await, StatusCode::CONFLICT).await;
    assert_eq!(anna.balance(service_id).await, "30.60");
}

fn sportello_pagopa_number_is_valid(number: &str) -> bool {
    number.len() == 18 && number.bytes().all(|b| b.is_ascii_digit()) && {
        let head: u128 = number[..16].parse().unwrap();
        let check: u128 = number[16..].parse().unwrap();
        head % 93 == check
    }
}

#[tokio::test]
async fn cancelled_checkout_changes_nothing() {
    let server = TestServer::start().await;
    // Anna Colombo's canteen account starts 23,40 € short.
    let (anna, service) = server.canteen_family(ANNA).await;
    let started = anna.recharge_online(service, "30").await;
    let back = submit_checkout(&started.checkout_url, "cancel", "carta").await;
    assert!(back.contains("esito=annullato"));
    assert_eq!(anna.balance(service).await, "-23.40");
    // The notice made for this attempt went with it: it cannot be paid any more.
    let checkout = anna.checkout(started.notice.id).await;
    problem(checkout, StatusCode::CONFLICT).await;
}

#[tokio::test]
async fn the_comune_recharge_rule_is_enforced_with_its_message() {
    let server = TestServer::start().await;
    let giuseppe = server.spid_user("esempio", GIUSEPPE_ESEMPIO).await;
    let service = giuseppe.refezione().await;
    let path = paths::service_notices(service.service_id);
    let maximum = "L'importo massimo di una ricarica è 540,00 €.";
    for (amount, message) in [
        ("5,00", "L'importo minimo di una ricarica è 5,40 €."),
        ("50", "L'importo deve essere un multiplo di 5,40 €."),
        ("0", "L'importo deve essere maggiore di zero."),
        ("-5,40", "L'importo non può essere negativo."),
        ("abc", NOT_A_NUMBER),
        ("1E2", NOT_A_NUMBER),
        ("1_0", NOT_A_NUMBER),
        ("+54", NOT_A_NUMBER),
        ("54,001", "L'importo può avere al massimo due decimali."),
        ("999999", maximum),
        // One thousand, in Italian: understood, and above the comune's maximum.
        ("1.000", maximum),
        ("1000000000000,00", maximum),
    ] {
        let refused = giuseppe
            .post(&path, &serde_json::json!({ "amount": amount }))
            .await;
        assert_eq!(field_error(refused, "amount").await, message, "{amount}");
    }
    let ok = giuseppe.new_notice(service.service_id, "54,00").await;
    assert_eq!(ok.amount.to_string(), "54.00");
    assert!(
        ok.notice_number.starts_with("002"),
        "aux digit 0 with application code 02"
    );
    let none: Page<Notice> = giuseppe.get_ok(&path).await;
    assert_eq!(none.total, 1, "refused amounts created no notice");
}

#[tokio::test]
async fn only_the_guardian_sees_money() {
    let server = TestServer::start().await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let notice = mario.new_notice(service, "10").await;
    // Another role may never: it is told so (403), whatever the record.
    let recharge = serde_json::json!({ "amount": "10" });
    for who in [LAURA_DELEGATE, GIULIA_OPERATOR] {
        let other = server.user("demo", who).await;
        for path in [
            paths::payment_services(),
            paths::statement(service),
            paths::service_notices(service),
            paths::notice(notice.id),
        ] {
            problem(other.get(&path).await, StatusCode::FORBIDDEN).await;
        }
        let refused = other.post(&paths::recharges(service), &recharge).await;
        problem(refused, StatusCode::FORBIDDEN).await;
    }
    // Another family's notice does not exist for Anna.
    let anna = server.user("demo", ANNA).await;
    let theirs = anna.get(&paths::notice(notice.id)).await;
    problem(theirs, StatusCode::NOT_FOUND).await;
    problem(anna.checkout(notice.id).await, StatusCode::NOT_FOUND).await;
    // An emission service has no statement.
    let trasporto = mario.trasporto().await;
    assert_eq!(
        trasporto.open_emissions,
        Some(2),
        "the demo's two rette to pay"
    );
    let statement = mario.get(&paths::statement(trasporto.service_id)).await;
    problem(statement, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn pagamenti_lists_only_the_services_the_family_uses() {
    let server = TestServer::start().await;
    // Anna Colombo's Luca eats at the canteen and takes no school bus.
    for (who, uses) in [
        (ANNA, &["Refezione Scolastica"][..]),
        (MARIO, &["Refezione Scolastica", "Trasporto Scolastico"][..]),
    ] {
        let family = server.user("demo", who).await;
        let services: Vec<PaymentService> = family.get_ok(&paths::payment_services()).await;
        let names: Vec<_> = services.iter().map(|s| s.service_name.as_str()).collect();
        assert_eq!(names, uses);
    }
}
