//! Payment notices that must not be paid: those of online attempts that ended without
//! payment, those the family cancelled, and what the checkout and the counter say about
//! a notice already paid, cancelled or expired. One date for the page and the PDF.

use std::time::Duration;

use e2e::payments::{checkout_page, gpd_requests, pdf_text, receipt, submit_checkout};
use e2e::{json, problem, TestServer, User, ANNA, GIULIA_OPERATOR, LAURA_DELEGATE, MARIO};
use reqwest::StatusCode;
use sportello_model::format;
use sportello_model::money::cents_to_decimal;
use sportello_model::paths;
use sportello_model::payments::NoticeStatus;
use sportello_model::payments::{CheckoutStarted, EmissionDetail, EmissionSummary, Notice};
use sportello_model::Page;

const ENTE: &str = e2e::payments::ENTE_DEMO;

/// The ids of the notices to pay the family lists for the service.
async fn listed(family: &User<'_>, service_id: i64) -> Vec<i64> {
    let path = format!("{}?per_page=100", paths::service_notices(service_id));
    let page: Page<Notice> = family.get_ok(&path).await;
    page.items.into_iter().map(|n| n.id).collect()
}

/// Opens the checkout of a notice (200 expected).
async fn open_checkout(family: &User<'_>, notice_id: i64) -> CheckoutStarted {
    json(family.checkout(notice_id).await, StatusCode::OK).await
}

/// Submits a checkout page paying by card: where the browser is sent back to.
async fn submit(url: &str, decision: &str) -> String {
    submit_checkout(url, decision, "carta").await
}

/// The family's first retta.
async fn first_retta(family: &User<'_>) -> EmissionDetail {
    let rette: Page<EmissionSummary> = family.get_ok(&paths::emissions()).await;
    family.get_ok(&paths::emission(rette.items[0].id)).await
}

#[tokio::test]
async fn an_online_attempt_left_unpaid_leaves_no_notice_to_pay() {
    let server = TestServer::start().await;
    // Anna Colombo's canteen account starts 23,40 € short (last year's meals).
    let (anna, service) = server.canteen_family(ANNA).await;

    // Paga, then Annulla at the checkout.
    let cancelled = anna.recharge_online(service, "30").await;
    assert!(
        listed(&anna, service).await.is_empty(),
        "never a notice to pay"
    );
    let back = submit(&cancelled.checkout_url, "cancel").await;
    assert!(back.contains("esito=annullato"));
    // Paga, then the checkout is left open until it times out (half an hour).
    let left = anna.recharge_online(service, "25").await;
    server.advance_clock(Duration::from_secs(31 * 60)).await;
    let anna = server.user("demo", ANNA).await;

    for attempt in [&cancelled, &left] {
        // A counter given the number (it was on the checkout page) takes no money.
        let refused = server.pay_at_counter(&attempt.notice.notice_number).await;
        assert!(
            refused.contains("Pagamento rifiutato") && refused.contains("annullato"),
            "{refused}"
        );
        assert!(!refused.contains("Incassa"), "{refused}");
        let gone = anna.notice(attempt.notice.id).await;
        assert_eq!(gone.status, NoticeStatus::Cancelled);
        let no_pdf = anna.document(&gone.pdf_url).await;
        let no_pdf = problem(no_pdf, StatusCode::CONFLICT).await.detail;
        assert!(no_pdf.contains("pagamento online"), "{no_pdf}");
        problem(anna.checkout(gone.id).await, StatusCode::CONFLICT).await;
    }
    assert!(listed(&anna, service).await.is_empty());
    let after = anna.statement(service).await;
    assert_eq!(after.account.balance.to_string(), "-23.40");
    assert_eq!(after.movements.total, 1, "only last year's meals");

    // Paid online, the recharge is in the statement and the receipts, not among the
    // notices to pay.
    let paid = anna.recharge_online(service, "54").await;
    assert!(submit(&paid.checkout_url, "pay").await.contains("esito=ok"));
    assert!(listed(&anna, service).await.is_empty());
    assert_eq!(anna.balance(service).await, "30.60");
}

#[tokio::test]
async fn the_family_cancels_a_recharge_notice_it_made() {
    let server = TestServer::start().await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let before = mario.balance(service).await;
    let made = mario.new_notice(service, "20").await;
    let cancel = paths::notice_cancel(made.id);
    // A checkout opened before the cancellation.
    let opened = open_checkout(&mario, made.id).await;

    // Nobody else can cancel it: another family does not see it (404), a delegate and
    // the office may never cancel a notice (403).
    for (who, status) in [
        (ANNA, StatusCode::NOT_FOUND),
        (LAURA_DELEGATE, StatusCode::FORBIDDEN),
        (GIULIA_OPERATOR, StatusCode::FORBIDDEN),
    ] {
        let other = server.user("demo", who).await;
        problem(other.post_empty(&cancel).await, status).await;
    }
    assert_eq!(mario.notice(made.id).await.status, NoticeStatus::Open);

    let cancelled: Notice = json(mario.post_empty(&cancel).await, StatusCode::OK).await;
    assert_eq!(cancelled.status, NoticeStatus::Cancelled);
    // Twice (a double tap) answers the same.
    let again: Notice = json(mario.post_empty(&cancel).await, StatusCode::OK).await;
    assert_eq!(again, cancelled);
    assert!(listed(&mario, service).await.contains(&made.id));

    // It can no longer be paid anywhere, and its PDF is no longer offered.
    let refused = server.pay_at_counter(&made.notice_number).await;
    assert!(refused.contains("L'avviso è stato annullato."), "{refused}");
    problem(mario.checkout(made.id).await, StatusCode::CONFLICT).await;
    problem(mario.document(&made.pdf_url).await, StatusCode::CONFLICT).await;
    let shown = checkout_page(&opened.checkout_url).await;
    assert!(shown.contains("Avviso annullato"), "{shown}");
    let back = submit(&opened.checkout_url, "pay").await;
    assert!(back.contains("esito=errore"), "{back}");
    assert_eq!(mario.balance(service).await, before);

    // A paid notice is not cancelled.
    let paid = mario.new_notice(service, "10").await;
    let counter = server.pay_at_counter(&paid.notice_number).await;
    assert!(counter.contains("Pagamento eseguito"), "{counter}");
    let refused = mario.post_empty(&paths::notice_cancel(paid.id)).await;
    assert_eq!(
        problem(refused, StatusCode::CONFLICT).await.detail,
        "Questo avviso risulta già pagato: non può essere annullato."
    );
    // Nor is a retta's, which is the comune's to withdraw.
    let retta = first_retta(&mario).await;
    let refused = mario
        .post_empty(&paths::notice_cancel(retta.summary.notice_id))
        .await;
    let refused = problem(refused, StatusCode::CONFLICT).await.detail;
    assert!(refused.contains("ufficio del Comune"), "{refused}");
}

#[tokio::test]
async fn a_cancelled_notice_is_withdrawn_from_pagopa_gpd() {
    let (server, gpd) = TestServer::start_with_gpd(201).await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let made = mario.new_notice(service, "25").await;
    let body: serde_json::Value = gpd_requests(&gpd).await[0].body_json().unwrap();
    assert_eq!(body["paymentOption"][0]["iuv"], made.iuv.as_str());
    let cancelled = mario.post_empty(&paths::notice_cancel(made.id)).await;
    json::<Notice>(cancelled, StatusCode::OK).await;
    let requests = gpd_requests(&gpd).await;
    let [_, withdrawn] = requests.as_slice() else {
        panic!("a creation and a withdrawal: {requests:?}");
    };
    assert_eq!(withdrawn.method.as_str(), "POST");
    assert_eq!(
        withdrawn.url.path(),
        format!(
            "/gpd/v1/organizations/{ENTE}/debtpositions/{ENTE}-{}/invalidate",
            made.iuv
        )
    );
}

#[tokio::test]
async fn a_receipt_racing_a_cancellation_ends_paid_or_cancelled_never_both() {
    let server = TestServer::start().await;
    let (anna, service) = server.canteen_family(ANNA).await;
    let made = anna.new_notices(service, "5", 12).await;
    let races = made.iter().enumerate().map(|(i, n)| {
        let receipt = receipt(&format!("RACE{i:04}"), n, "5.00", "PO");
        let (server, anna) = (&server, &anna);
        async move {
            let cancel = paths::notice_cancel(n.id);
            let (esito, cancelled) =
                tokio::join!(server.receipt_outcome(&receipt), anna.post_empty(&cancel));
            (esito, cancelled.status())
        }
    });
    let races = futures_util::future::join_all(races).await;
    let mut accepted = 0;
    for ((esito, cancelled), n) in races.into_iter().zip(&made) {
        let status = anna.notice(n.id).await.status;
        match (esito.as_str(), cancelled, status) {
            ("OK", StatusCode::CONFLICT, NoticeStatus::Paid) => accepted += 1,
            ("PAA_PAGAMENTO_ANNULLATO", StatusCode::OK, NoticeStatus::Cancelled) => {}
            other => panic!("notice {} ended {other:?}", n.id),
        }
    }
    // On top of last year's 23,40 € unpaid.
    let after = anna.statement(service).await;
    assert_eq!(
        after.account.balance.to_string(),
        cents_to_decimal(500 * accepted as i64 - 2340).to_string()
    );
    assert_eq!(after.movements.total, accepted as u64 + 1);
}

#[tokio::test]
async fn the_notice_pdf_prints_the_date_and_number_the_portal_shows() {
    let server = TestServer::start().await;
    let (mario, service) = server.canteen_family(MARIO).await;

    // A recharge notice: valid until a day, then no longer payable.
    let made = mario.new_notice(service, "47,60").await;
    let shown = made.deadline().text();
    let expires_on = made.expires_on.expect("a recharge notice expires");
    assert_eq!(
        shown,
        format!("valido fino al {}", format::date(expires_on))
    );
    let bytes = mario.document(&made.pdf_url).await.bytes().await.unwrap();
    let printed = pdf_text(&bytes);
    assert!(printed.contains(&shown), "{shown} not in {printed}");
    assert!(!printed.contains("senza scadenza"), "{printed}");
    // The counter reads the same date.
    let lookup = server.counter(&made.notice_number, "lookup").await;
    assert!(lookup.contains(&shown), "{lookup}");
    // Both print the notice number the way the portal shows it.
    let grouped = format::notice_number(&made.notice_number);
    assert!(printed.contains(&grouped), "{grouped} not in {printed}");
    assert!(lookup.contains(&grouped), "{grouped} not in {lookup}");

    // A retta: due by its due date, as its page says.
    let retta = first_retta(&mario).await;
    let due = format!("entro il {}", format::date(retta.summary.due_date));
    let deadline = mario.notice(retta.summary.notice_id).await.deadline();
    assert_eq!(deadline.text(), due);
    let bytes = mario.document(&retta.document_url).await.bytes().await;
    let printed = pdf_text(&bytes.unwrap());
    assert!(printed.contains(&due), "{due} not in {printed}");
}

#[tokio::test]
async fn the_checkout_tells_the_truth_in_every_state() {
    let server = TestServer::start().await;
    let (anna, service) = server.canteen_family(ANNA).await;

    // Paid, then Back and Paga again: already paid, nothing charged, see the receipt.
    let paid = anna.recharge_online(service, "54").await;
    assert!(submit(&paid.checkout_url, "pay").await.contains("esito=ok"));
    let again = submit(&paid.checkout_url, "pay").await;
    let ok = format!("{}/demo/pagamenti/{service}?esito=ok&carrello=", server.url);
    assert!(again.starts_with(&ok), "{again}");
    let shown = checkout_page(&paid.checkout_url).await;
    assert!(
        shown.contains("Questo avviso risulta già pagato"),
        "{shown}"
    );
    assert!(
        shown.contains("href=\"/demo/pagamenti/ricevute\""),
        "{shown}"
    );
    assert!(!shown.contains("Sessione di pagamento scaduta"), "{shown}");
    assert_eq!(
        anna.balance(service).await,
        "30.60",
        "54,00 € on last year's -23,40 €"
    );

    // Paid at a counter while its checkout was open.
    let made = anna.new_notice(service, "10").await;
    let opened = open_checkout(&anna, made.id).await.checkout_url;
    server.pay_at_counter(&made.notice_number).await;
    assert!(checkout_page(&opened).await.contains("già pagato"));
    assert!(submit(&opened, "pay").await.contains("esito=errore"));

    // Cancelled by the payer at the checkout: a notice the family made stays payable.
    let kept = anna.new_notice(service, "15").await;
    let opened = open_checkout(&anna, kept.id).await.checkout_url;
    assert!(submit(&opened, "cancel").await.contains("esito=annullato"));
    let shown = checkout_page(&opened).await;
    assert!(shown.contains("Hai annullato questo pagamento"), "{shown}");
    assert!(submit(&opened, "pay").await.contains("esito=annullato"));
    assert_eq!(anna.notice(kept.id).await.status, NoticeStatus::Open);

    // Timed out: a session lasts 30 minutes; the notice is still to pay.
    let opened = open_checkout(&anna, kept.id).await.checkout_url;
    let expired = "Sessione di pagamento scaduta";
    server.advance_clock(Duration::from_secs(29 * 60)).await;
    assert!(!checkout_page(&opened).await.contains(expired));
    server.advance_clock(Duration::from_secs(2 * 60)).await;
    assert!(checkout_page(&opened).await.contains(expired));
    assert!(submit(&opened, "pay").await.contains("esito=errore"));
    // Half an hour on, Anna logs in again.
    let anna = server.user("demo", ANNA).await;

    // The notice expired (after its 90 days) while its checkout was open.
    let opened = open_checkout(&anna, kept.id).await.checkout_url;
    server.advance_clock(Duration::from_secs(91 * 86_400)).await;
    assert!(checkout_page(&opened).await.contains("Avviso scaduto"));
    let back = submit(&opened, "pay").await;
    assert!(back.contains("esito=errore"), "{back}");
    let anna = server.user("demo", ANNA).await;

    // Through all of it, only the two payments were taken (on last year's -23,40 €).
    assert_eq!(anna.balance(service).await, "40.60");
}

#[tokio::test]
async fn a_recharge_notice_expires_after_its_validity_and_the_counter_refuses_it() {
    // At midday, so that whole days later it is still the same time of day in Rome.
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", "2026-11-24T11:00:00Z")]).await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let balance = mario.balance(service).await;
    let made = mario.new_notice(service, "20").await;
    let expires_on = made.expires_on.expect("a recharge notice expires");
    let days = (expires_on - server.today().await).whole_days();
    assert_eq!(days, 90, "valid for 90 days");

    // On its last day it can still be paid at a counter.
    server
        .advance_clock(Duration::from_secs(days as u64 * 86_400))
        .await;
    assert_eq!(server.today().await, expires_on);
    let counter = server.counter(&made.notice_number, "lookup").await;
    assert!(counter.contains("Incassa"), "{counter}");

    // The day after, it has expired: the counter refuses it and nothing is credited.
    server.advance_clock(Duration::from_secs(86_400)).await;
    let refused = server.pay_at_counter(&made.notice_number).await;
    assert!(
        refused.contains("L'avviso è scaduto e non può più essere pagato."),
        "{refused}"
    );
    let mario = server.user("demo", MARIO).await;
    assert_eq!(mario.notice(made.id).await.status, NoticeStatus::Expired);
    assert_eq!(mario.balance(service).await, balance);
}
