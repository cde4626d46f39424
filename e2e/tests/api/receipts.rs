//! Notices paid at the simulated counter and receipts delivered by pagoPA: each payment
//! counts exactly once, under retries and concurrency; the notice's PDF; notices
//! registered with pagoPA's GPD service, and what is left when pagoPA is down.

use e2e::payments::{gpd_requests, pdf_text, receipt};
use e2e::{problem, TestServer, ANNA, GIULIA_OPERATOR, MARIO};
use reqwest::StatusCode;
use sportello_model::paths;
use sportello_model::payments::{Notice, PaymentService};
use sportello_model::Page;

#[tokio::test]
async fn notice_paid_at_the_counter_credits_once() {
    let server = TestServer::start().await;
    // Anna Colombo starts with an empty canteen account.
    let (anna, service) = server.canteen_family(ANNA).await;
    let notice = anna.new_notice(service, "20").await;
    let listed: Page<Notice> = anna.get_ok(&paths::service_notices(service)).await;
    assert_eq!(listed.items, vec![notice.clone()]);
    assert!(notice.expires_on.is_some());

    // A tobacconist types the number with spaces, as printed.
    let number = &notice.notice_number;
    let spaced = [
        &number[0..4],
        &number[4..8],
        &number[8..12],
        &number[12..16],
        &number[16..],
    ];
    let done = server.pay_at_counter(&spaced.join(" ")).await;
    assert!(done.contains("Pagamento eseguito: 20,00 €"), "{done}");
    assert_eq!(anna.balance(service).await, "20.00");

    // A second payment of the same notice is refused as a duplicate.
    let twice = server.pay_at_counter(number).await;
    assert!(
        twice.contains("Questo avviso risulta già pagato"),
        "{twice}"
    );
    let after = anna.statement(service).await;
    assert_eq!(after.account.balance.to_string(), "20.00");
    assert_eq!(after.movements.total, 1);

    // A mistyped number is caught by its check digits.
    let mut wrong = number.clone().into_bytes();
    wrong[5] = if wrong[5] == b'9' { b'8' } else { wrong[5] + 1 };
    let wrong = String::from_utf8(wrong).unwrap();
    let page = server.counter(&wrong, "lookup").await;
    assert!(page.contains("cifre di controllo"), "{page}");
}

#[tokio::test]
async fn the_notice_pdf_shows_number_amount_and_payer() {
    let server = TestServer::start().await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let notice = mario.new_notice(service, "47,60").await;
    let pdf = mario.document(&notice.pdf_url).await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let text = pdf_text(&pdf.bytes().await.unwrap());
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(compact.contains(&notice.notice_number), "{text}");
    assert!(text.contains("47,60 €"), "{text}");
    assert!(text.contains("Mario Albertini"), "{text}");
    assert!(text.contains("LBRMRA80E12F205M"), "{text}");
    // Not Anna's to download.
    let anna = server.user("demo", ANNA).await;
    problem(anna.document(&notice.pdf_url).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn concurrent_and_repeated_receipts_count_exactly_once() {
    let server = TestServer::start().await;
    // Anna Colombo starts with an empty canteen account.
    let (anna, service) = server.canteen_family(ANNA).await;
    let created = anna.new_notices(service, "5", 20).await;
    // 50 deliveries at once: every receipt twice, and ten notices paid a second time
    // with a different receipt (a real double payment, to be refused).
    let mut deliveries = Vec::new();
    for (i, notice) in created.iter().enumerate() {
        for _ in 0..2 {
            deliveries.push(receipt(&format!("RCP{i:04}"), notice, "5.00", "CP"));
        }
    }
    for (i, notice) in created.iter().take(10).enumerate() {
        deliveries.push(receipt(&format!("DUP{i:04}"), notice, "5.00", "CP"));
    }
    assert_eq!(deliveries.len(), 50);
    let server = &server;
    let tasks = deliveries
        .iter()
        .map(|receipt| server.receipt_outcome(receipt));
    // Meanwhile the office debits 1,00 € twenty times, and every request is retried.
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let debits_path = paths::family_movements(service, anna.user.id);
    let debits = (0..40).map(|i| {
        let debit = serde_json::json!({
            "kind": "adjustment",
            "amount": "-1,00",
            "reason": format!("Quota servizio {}", i % 20),
            "request_id": format!("debit-{}", i % 20),
        });
        let (giulia, path) = (&giulia, &debits_path);
        async move { giulia.post(path, &debit).await.status() }
    });
    let (outcomes, statuses) = tokio::join!(
        futures_util::future::join_all(tasks),
        futures_util::future::join_all(debits)
    );
    let accepted = outcomes.iter().filter(|o| *o == "accepted").count();
    assert_eq!(accepted, 20, "{outcomes:?}");
    let count = |status| statuses.iter().filter(|s| **s == status).count();
    assert_eq!(count(StatusCode::CREATED), 20, "{statuses:?}");
    assert_eq!(count(StatusCode::OK), 20, "{statuses:?}");
    let after = anna.statement(service).await;
    assert_eq!(after.account.balance.to_string(), "80.00");
    assert_eq!(after.movements.total, 40);

    let rows = server
        .query(
            "SELECT (SELECT CAST(SUM(amount_cents) AS BIGINT) FROM ledger_movements) AS ledger, \
             (SELECT CAST(SUM(balance_cents) AS BIGINT) FROM prepaid_accounts) AS cached, \
             (SELECT COUNT(*) FROM ledger_movements) AS movements, \
             (SELECT CAST(SUM(movement_count) AS BIGINT) FROM prepaid_accounts) AS counted, \
             (SELECT COUNT(*) FROM receipts) AS receipts",
        )
        .await;
    let row = &rows[0];
    let ledger: i64 = row.try_get("", "ledger").unwrap();
    let cached: i64 = row.try_get("", "cached").unwrap();
    let receipts: i64 = row.try_get("", "receipts").unwrap();
    assert_eq!(ledger, cached, "balances equal the ledger sums");
    let movements: i64 = row.try_get("", "movements").unwrap();
    let counted: i64 = row.try_get("", "counted").unwrap();
    assert_eq!(movements, counted, "cached counts equal the ledger lengths");
    assert_eq!(
        receipts,
        30 + 1,
        "every distinct receipt stored once (plus the demo's)"
    );

    // The same receipt delivered again later changes nothing; a wrong key is refused.
    let again = receipt("RCP0000", &created[0], "5.00", "CP");
    assert_eq!(server.receipt_outcome(&again).await, "already_processed");
    let forged = receipt("X1", &created[1], "5.00", "CP");
    let refused = server.deliver_receipt("sbagliata", &forged).await;
    problem(refused, StatusCode::UNAUTHORIZED).await;
    let wrong_amount = receipt("AMT1", &created[19], "4.00", "CP");
    assert_ne!(server.receipt_outcome(&wrong_amount).await, "accepted");
    assert_eq!(anna.balance(service).await, "80.00");
}

#[tokio::test]
async fn notices_are_registered_with_pagopa_gpd_when_configured() {
    let (server, gpd) = TestServer::start_with_gpd(201).await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let notice = mario.new_notice(service, "25").await;
    let requests = gpd_requests(&gpd).await;
    let [request] = requests.as_slice() else {
        panic!("one request to GPD: {requests:?}");
    };
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(
        request.url.path(),
        "/gpd/v1/organizations/80012340155/debtpositions"
    );
    assert_eq!(
        request.headers.get("Ocp-Apim-Subscription-Key").unwrap(),
        "chiave-di-prova"
    );
    let body: serde_json::Value = request.body_json().unwrap();
    assert_eq!(body["paymentOption"][0]["iuv"], notice.iuv.as_str());
    assert_eq!(body["fiscalCode"], "LBRMRA80E12F205M");
    assert_eq!(
        body["paymentOption"][0]["transfer"][0]["iban"],
        "IT60X0542811101000000123456"
    );
}

#[tokio::test]
async fn pagopa_down_leaves_no_notice_and_no_retta_behind() {
    let (server, _gpd) = TestServer::start_with_gpd(500).await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let notices = paths::service_notices(service);
    let refused = mario
        .post(&notices, &serde_json::json!({ "amount": "25" }))
        .await;
    let refused = problem(refused, StatusCode::CONFLICT).await.detail;
    assert!(refused.contains("Riprova più tardi"), "{refused}");
    let listed: Page<Notice> = mario.get_ok(&notices).await;
    assert_eq!(listed.total, 0, "a notice pagoPA refused leaves nothing");
    // The same for an emission: no retta, no notice, nothing due.
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let services: Vec<PaymentService> = mario.get_ok(&paths::payment_services()).await;
    let retta = serde_json::json!({
        "guardian_fiscal_code": MARIO,
        "service_id": mario.trasporto().await.service_id,
        "title": "Retta Marzo 2027",
        "due_date": "2099-03-31",
        "lines": [{ "description": "Trasporto marzo", "amount": "47,60" }]
    });
    let refused = giulia.post(&paths::emit(), &retta).await;
    let refused = problem(refused, StatusCode::CONFLICT).await.detail;
    assert!(refused.contains("Riprova più tardi"), "{refused}");
    let emissions: Page<serde_json::Value> = mario.get_ok(&paths::emissions()).await;
    assert_eq!(emissions.total, 3, "only the demo's rette");
    let after: Vec<PaymentService> = mario.get_ok(&paths::payment_services()).await;
    assert_eq!(after, services, "nothing more due");
}
