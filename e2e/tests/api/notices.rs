//! Payment notices that must not be paid: those of online attempts that ended without
//! payment, those the family cancelled, and what the checkout and the counter say about
//! a notice already paid, cancelled or expired. One date for the page and the PDF.

use e2e::{
    client, json, location, problem, TestServer, ANNA, GIULIA_OPERATOR, LAURA_DELEGATE, MARIO,
};
use std::time::Duration;

use reqwest::StatusCode;
use sportello_model::format;
use sportello_model::paths;
use sportello_model::payments::{
    CheckoutStarted, EmissionDetail, EmissionSummary, Notice, NoticeStatus,
};
use sportello_model::Page;

use crate::payments::{counter, gpd_mock, gpd_requests, pay_at_counter, refezione, statement};

const ENTE: &str = "80012340155";

async fn new_notice(server: &TestServer, token: &str, service_id: i64, amount: &str) -> Notice {
    json(
        server
            .post_json(
                token,
                &paths::service_notices(service_id),
                &serde_json::json!({ "amount": amount }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await
}

async fn recharge_online(
    server: &TestServer,
    token: &str,
    service_id: i64,
    amount: &str,
) -> CheckoutStarted {
    json(
        server
            .post_json(
                token,
                &paths::recharges(service_id),
                &serde_json::json!({ "amount": amount }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await
}

async fn checkout(server: &TestServer, token: &str, notice_id: i64) -> reqwest::Response {
    server
        .post_json(
            token,
            &paths::notice_checkout(notice_id),
            &serde_json::json!({}),
        )
        .await
}

async fn notice(server: &TestServer, token: &str, id: i64) -> Notice {
    json(server.get(token, &paths::notice(id)).await, StatusCode::OK).await
}

async fn listed(server: &TestServer, token: &str, service_id: i64) -> Vec<i64> {
    let page: Page<Notice> = json(
        server
            .get(
                token,
                &format!("{}?per_page=100", paths::service_notices(service_id)),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    page.items.into_iter().map(|n| n.id).collect()
}

async fn cancel(server: &TestServer, token: &str, id: i64) -> reqwest::Response {
    server
        .post_json(token, &paths::notice_cancel(id), &serde_json::json!({}))
        .await
}

async fn page(url: &str) -> String {
    client()
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Submits a checkout page and returns where the browser is sent back to.
async fn submit(url: &str, decision: &str) -> String {
    let back = client()
        .post(url)
        .form(&[("decision", decision), ("method", "carta")])
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    location(&back).to_string()
}

/// The text of a PDF, as `pdftotext -layout` reads it.
pub(crate) fn pdf_text(bytes: &[u8], name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("sportello-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("document.pdf");
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", file.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/setup");
    std::fs::remove_dir_all(dir).ok();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn pdf(server: &TestServer, token: &str, url: &str) -> reqwest::Response {
    server.get(token, &url.replace(paths::BASE, "")).await
}

#[tokio::test]
async fn an_online_attempt_left_unpaid_leaves_no_notice_to_pay() {
    let server = TestServer::start().await;
    // Anna Colombo starts with an empty canteen account.
    let anna = server.login("demo", ANNA).await;
    let token = &anna.access_token;
    let service = refezione(&server, token).await.service_id;

    // Paga, then Annulla at the checkout.
    let cancelled = recharge_online(&server, token, service, "30").await;
    assert!(
        listed(&server, token, service).await.is_empty(),
        "never a notice to pay"
    );
    assert!(submit(&cancelled.checkout_url, "cancel")
        .await
        .contains("esito=annullato"));
    // Paga, then the checkout is left open until it times out (half an hour).
    let left = recharge_online(&server, token, service, "25").await;
    server.advance_clock(Duration::from_secs(31 * 60)).await;
    let anna = server.login("demo", ANNA).await;
    let token = &anna.access_token;

    for attempt in [&cancelled, &left] {
        let number = &attempt.notice.notice_number;
        // A counter given the number (it was on the checkout page) takes no money.
        let refused = pay_at_counter(&server, ENTE, number).await;
        assert!(
            refused.contains("Pagamento rifiutato") && refused.contains("annullato"),
            "{refused}"
        );
        assert!(!refused.contains("Incassa"), "{refused}");
        let gone = notice(&server, token, attempt.notice.id).await;
        assert_eq!(gone.status, NoticeStatus::Cancelled);
        let no_pdf = problem(
            pdf(&server, token, &gone.pdf_url).await,
            StatusCode::CONFLICT,
        )
        .await;
        assert!(
            no_pdf.detail.contains("pagamento online"),
            "{}",
            no_pdf.detail
        );
        problem(
            checkout(&server, token, gone.id).await,
            StatusCode::CONFLICT,
        )
        .await;
    }
    assert!(listed(&server, token, service).await.is_empty());
    let after = statement(&server, token, service).await;
    assert_eq!(after.account.balance.to_string(), "0.00");
    assert_eq!(after.movements.total, 0);

    // Paid online, the recharge is in the statement and the receipts, not among the
    // notices to pay.
    let paid = recharge_online(&server, token, service, "54").await;
    assert!(submit(&paid.checkout_url, "pay").await.contains("esito=ok"));
    assert!(listed(&server, token, service).await.is_empty());
    assert_eq!(
        statement(&server, token, service)
            .await
            .account
            .balance
            .to_string(),
        "54.00"
    );
}

#[tokio::test]
async fn the_family_cancels_a_recharge_notice_it_made() {
    let server = TestServer::start().await;
    let mario = server.login("demo", MARIO).await;
    let token = &mario.access_token;
    let service = refezione(&server, token).await.service_id;
    let before = statement(&server, token, service).await.account.balance;
    let made = new_notice(&server, token, service, "20").await;
    // A checkout opened before the cancellation.
    let opened: CheckoutStarted =
        json(checkout(&server, token, made.id).await, StatusCode::OK).await;

    // Nobody else can cancel it: another family does not see it (404), a delegate and
    // the office may never cancel a notice (403).
    for (who, status) in [
        (ANNA, StatusCode::NOT_FOUND),
        (LAURA_DELEGATE, StatusCode::FORBIDDEN),
        (GIULIA_OPERATOR, StatusCode::FORBIDDEN),
    ] {
        let other = server.login("demo", who).await;
        problem(cancel(&server, &other.access_token, made.id).await, status).await;
    }
    assert_eq!(
        notice(&server, token, made.id).await.status,
        NoticeStatus::Open
    );

    let cancelled: Notice = json(cancel(&server, token, made.id).await, StatusCode::OK).await;
    assert_eq!(cancelled.status, NoticeStatus::Cancelled);
    // Twice (a double tap) answers the same.
    let again: Notice = json(cancel(&server, token, made.id).await, StatusCode::OK).await;
    assert_eq!(again, cancelled);
    assert!(listed(&server, token, service).await.contains(&made.id));

    // It can no longer be paid anywhere, and its PDF is no longer offered.
    let refused = pay_at_counter(&server, ENTE, &made.notice_number).await;
    assert!(refused.contains("L'avviso è stato annullato."), "{refused}");
    problem(
        checkout(&server, token, made.id).await,
        StatusCode::CONFLICT,
    )
    .await;
    problem(
        pdf(&server, token, &made.pdf_url).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(page(&opened.checkout_url)
        .await
        .contains("Avviso annullato"));
    assert!(submit(&opened.checkout_url, "pay")
        .await
        .contains("esito=avviso_annullato"));
    assert_eq!(
        statement(&server, token, service).await.account.balance,
        before
    );

    // A paid notice is not cancelled.
    let paid = new_notice(&server, token, service, "10").await;
    assert!(pay_at_counter(&server, ENTE, &paid.notice_number)
        .await
        .contains("Pagamento eseguito"));
    let refused = problem(cancel(&server, token, paid.id).await, StatusCode::CONFLICT).await;
    assert_eq!(
        refused.detail,
        "Questo avviso risulta già pagato: non può essere annullato."
    );
    // Nor is a retta's, which is the comune's to withdraw.
    let rette: Page<EmissionSummary> =
        json(server.get(token, &paths::emissions()).await, StatusCode::OK).await;
    let retta: EmissionDetail = json(
        server.get(token, &paths::emission(rette.items[0].id)).await,
        StatusCode::OK,
    )
    .await;
    let refused = problem(
        cancel(&server, token, retta.notice_id).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        refused.detail.contains("ufficio del Comune"),
        "{}",
        refused.detail
    );
}

#[tokio::test]
async fn a_cancelled_notice_is_withdrawn_from_pagopa_gpd() {
    let (url, gpd) = gpd_mock(201).await;
    let server = TestServer::start_with(&[
        ("PAGOPA_GPD_URL", url.as_str()),
        ("PAGOPA_GPD_KEY", "chiave-di-prova"),
    ])
    .await;
    let mario = server.login("demo", MARIO).await;
    let token = &mario.access_token;
    let service = refezione(&server, token).await.service_id;
    let made = new_notice(&server, token, service, "25").await;
    let created = gpd_requests(&gpd).await;
    let body: serde_json::Value = created[0].body_json().unwrap();
    assert_eq!(body["paymentOption"][0]["iuv"], made.iuv.as_str());
    json::<Notice>(cancel(&server, token, made.id).await, StatusCode::OK).await;
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
    let anna = server.login("demo", ANNA).await;
    let service = refezione(&server, &anna.access_token).await.service_id;
    let mut made = Vec::new();
    for _ in 0..12 {
        made.push(new_notice(&server, &anna.access_token, service, "5").await);
    }
    let http = client();
    let races: Vec<_> = made
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let receipt = serde_json::json!({
                "idPA": ENTE,
                "receipt": {
                    "receiptId": format!("RACE{i:04}"),
                    "noticeNumber": n.notice_number,
                    "fiscalCode": ENTE,
                    "outcome": "OK",
                    "creditorReferenceId": n.iuv,
                    "paymentAmount": "5.00",
                    "PSPCompanyName": "Banca di Prova",
                    "paymentMethod": "PO",
                    "paymentDateTime": "2026-11-23T10:15:00Z",
                }
            });
            let pay = http
                .post(server.api(&paths::receipt_callback()))
                .header("X-Callback-Key", "sportello-dev-callback-key")
                .json(&receipt)
                .send();
            let cancel = http
                .post(server.api(&paths::notice_cancel(n.id)))
                .bearer_auth(&anna.access_token)
                .json(&serde_json::json!({}))
                .send();
            tokio::spawn(async move {
                let (paid, cancelled) = tokio::join!(pay, cancel);
                let esito = paid.unwrap().json::<serde_json::Value>().await.unwrap()["esito"]
                    .as_str()
                    .unwrap()
                    .to_string();
                (esito, cancelled.unwrap().status())
            })
        })
        .collect();
    let mut accepted = 0;
    for (race, n) in races.into_iter().zip(&made) {
        let (esito, cancelled) = race.await.unwrap();
        let status = notice(&server, &anna.access_token, n.id).await.status;
        match (esito.as_str(), cancelled, status) {
            ("accepted", StatusCode::CONFLICT, NoticeStatus::Paid) => accepted += 1,
            ("cancelled", StatusCode::OK, NoticeStatus::Cancelled) => {}
            other => panic!("notice {} ended {other:?}", n.id),
        }
    }
    let after = statement(&server, &anna.access_token, service).await;
    assert_eq!(
        after.account.balance.to_string(),
        format!("{}.00", 5 * accepted)
    );
    assert_eq!(after.movements.total, accepted as u64);
}

#[tokio::test]
async fn the_notice_pdf_prints_the_date_and_number_the_portal_shows() {
    let server = TestServer::start().await;
    let mario = server.login("demo", MARIO).await;
    let token = &mario.access_token;
    let service = refezione(&server, token).await.service_id;

    // A recharge notice: valid until a day, then no longer payable.
    let made = new_notice(&server, token, service, "47,60").await;
    let shown = made.deadline().text();
    let expires_on = made.expires_on.expect("a recharge notice expires");
    assert_eq!(
        shown,
        format!("valido fino al {}", format::date(expires_on))
    );
    let bytes = pdf(&server, token, &made.pdf_url)
        .await
        .bytes()
        .await
        .unwrap();
    let printed = pdf_text(&bytes, "recharge-notice");
    assert!(printed.contains(&shown), "{shown} not in {printed}");
    assert!(!printed.contains("senza scadenza"), "{printed}");
    // The counter reads the same date.
    let lookup = counter(&server, ENTE, &made.notice_number, "lookup").await;
    assert!(lookup.contains(&shown), "{lookup}");
    // Both print the notice number the way the portal shows it.
    let grouped = format::notice_number(&made.notice_number);
    assert!(printed.contains(&grouped), "{grouped} not in {printed}");
    assert!(lookup.contains(&grouped), "{grouped} not in {lookup}");

    // A retta: due by its due date, as its page says.
    let rette: Page<EmissionSummary> =
        json(server.get(token, &paths::emissions()).await, StatusCode::OK).await;
    let retta: EmissionDetail = json(
        server.get(token, &paths::emission(rette.items[0].id)).await,
        StatusCode::OK,
    )
    .await;
    let due = format!("entro il {}", format::date(retta.summary.due_date));
    assert_eq!(
        notice(&server, token, retta.notice_id)
            .await
            .deadline()
            .text(),
        due
    );
    let bytes = pdf(&server, token, &retta.document_url)
        .await
        .bytes()
        .await
        .unwrap();
    let printed = pdf_text(&bytes, "retta-notice");
    assert!(printed.contains(&due), "{due} not in {printed}");
}

#[tokio::test]
async fn the_checkout_tells_the_truth_in_every_state() {
    let server = TestServer::start().await;
    let anna = server.login("demo", ANNA).await;
    let token = &anna.access_token;
    let service = refezione(&server, token).await.service_id;

    // Paid, then Back and Paga again: already paid, nothing charged, see the receipt.
    let paid = recharge_online(&server, token, service, "54").await;
    assert!(submit(&paid.checkout_url, "pay").await.contains("esito=ok"));
    let again = submit(&paid.checkout_url, "pay").await;
    assert_eq!(
        again,
        format!(
            "/demo/pagamenti/{service}?esito=gia_pagato&avviso={}",
            paid.notice.id
        )
    );
    let shown = page(&paid.checkout_url).await;
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
        statement(&server, token, service)
            .await
            .account
            .balance
            .to_string(),
        "54.00"
    );

    // Paid at a counter while its checkout was open.
    let made = new_notice(&server, token, service, "10").await;
    let opened: CheckoutStarted =
        json(checkout(&server, token, made.id).await, StatusCode::OK).await;
    pay_at_counter(&server, ENTE, &made.notice_number).await;
    assert!(page(&opened.checkout_url).await.contains("già pagato"));
    assert!(submit(&opened.checkout_url, "pay")
        .await
        .contains("esito=gia_pagato"));

    // Cancelled by the payer at the checkout: a notice the family made stays payable.
    let kept = new_notice(&server, token, service, "15").await;
    let opened: CheckoutStarted =
        json(checkout(&server, token, kept.id).await, StatusCode::OK).await;
    assert!(submit(&opened.checkout_url, "cancel")
        .await
        .contains("esito=annullato"));
    assert!(page(&opened.checkout_url)
        .await
        .contains("Hai annullato questo pagamento"));
    assert!(submit(&opened.checkout_url, "pay")
        .await
        .contains("esito=annullato"));
    assert_eq!(
        notice(&server, token, kept.id).await.status,
        NoticeStatus::Open
    );

    // Timed out: a session lasts 30 minutes; the notice is still to pay.
    let opened: CheckoutStarted =
        json(checkout(&server, token, kept.id).await, StatusCode::OK).await;
    server.advance_clock(Duration::from_secs(29 * 60)).await;
    assert!(!page(&opened.checkout_url)
        .await
        .contains("Sessione di pagamento scaduta"));
    server.advance_clock(Duration::from_secs(2 * 60)).await;
    assert!(page(&opened.checkout_url)
        .await
        .contains("Sessione di pagamento scaduta"));
    assert!(submit(&opened.checkout_url, "pay")
        .await
        .contains("esito=scaduto"));
    // Half an hour on, Anna logs in again.
    let anna = server.login("demo", ANNA).await;
    let token = &anna.access_token;

    // The notice expired (after its 90 days) while its checkout was open.
    let opened: CheckoutStarted =
        json(checkout(&server, token, kept.id).await, StatusCode::OK).await;
    server.advance_clock(Duration::from_secs(91 * 86_400)).await;
    assert!(page(&opened.checkout_url).await.contains("Avviso scaduto"));
    assert!(submit(&opened.checkout_url, "pay")
        .await
        .contains("esito=avviso_scaduto"));
    let anna = server.login("demo", ANNA).await;
    let token = &anna.access_token;

    // Through all of it, only the two payments were taken.
    assert_eq!(
        statement(&server, token, service)
            .await
            .account
            .balance
            .to_string(),
        "64.00"
    );
}

#[tokio::test]
async fn a_recharge_notice_expires_after_its_validity_and_the_counter_refuses_it() {
    // At midday, so that whole days later it is still the same time of day in Rome.
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", "2026-11-24T11:00:00Z")]).await;
    let mario = server.login("demo", MARIO).await;
    let service = refezione(&server, &mario.access_token).await.service_id;
    let balance = statement(&server, &mario.access_token, service)
        .await
        .account
        .balance;
    let made = new_notice(&server, &mario.access_token, service, "20").await;
    let expires_on = made.expires_on.expect("a recharge notice expires");
    let days = (expires_on - server.today().await).whole_days();
    assert_eq!(days, 90, "valid for 90 days");

    // On its last day it can still be paid at a counter.
    server
        .advance_clock(Duration::from_secs(days as u64 * 86_400))
        .await;
    assert_eq!(server.today().await, expires_on);
    let counter = counter(&server, ENTE, &made.notice_number, "lookup").await;
    assert!(counter.contains("Incassa"), "{counter}");

    // The day after, it has expired: the counter refuses it and nothing is credited.
    server.advance_clock(Duration::from_secs(86_400)).await;
    let refused = pay_at_counter(&server, ENTE, &made.notice_number).await;
    assert!(
        refused.contains("L'avviso è scaduto e non può più essere pagato."),
        "{refused}"
    );
    let mario = server.login("demo", MARIO).await;
    assert_eq!(
        notice(&server, &mario.access_token, made.id).await.status,
        NoticeStatus::Expired
    );
    assert_eq!(
        statement(&server, &mario.access_token, service)
            .await
            .account
            .balance,
        balance
    );
}
