//! Money journeys: recharges online through the simulated pagoPA checkout, notices paid
//! at the simulated counter, the comune's recharge rule, and who may see money.

use e2e::{
    client, json, location, problem, TestServer, ANNA, GIULIA_OPERATOR, GIUSEPPE_ESEMPIO,
    LAURA_DELEGATE, MARIO,
};
use reqwest::StatusCode;
use sportello_model::children::{ChildDetail, ChildSummary};
use sportello_model::paths;
use sportello_model::payments::{
    CheckoutStarted, Movement, MovementKind, Notice, NoticeStatus, PaymentService, Statement,
};
use sportello_model::Page;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const NOT_A_NUMBER: &str =
    "Scrivi l'importo in cifre, con la virgola per i decimali (ad esempio 54,00 o 1.234,50).";

/// The family's payment service with this name.
pub(crate) async fn payment_service(
    server: &TestServer,
    token: &str,
    name: &str,
) -> PaymentService {
    let services: Vec<PaymentService> = json(
        server.get(token, &paths::payment_services()).await,
        StatusCode::OK,
    )
    .await;
    services
        .into_iter()
        .find(|s| s.service_name == name)
        .unwrap_or_else(|| panic!("{name} is a payment service"))
}

pub(crate) async fn refezione(server: &TestServer, token: &str) -> PaymentService {
    payment_service(server, token, "Refezione Scolastica").await
}

pub(crate) async fn trasporto(server: &TestServer, token: &str) -> PaymentService {
    payment_service(server, token, "Trasporto Scolastico").await
}

pub(crate) async fn statement(server: &TestServer, token: &str, service_id: i64) -> Statement {
    json(
        server.get(token, &paths::statement(service_id)).await,
        StatusCode::OK,
    )
    .await
}

/// One step (`lookup` or `pay`) at the simulator's counter for a notice: its page.
pub(crate) async fn counter(
    server: &TestServer,
    ente_fiscal_code: &str,
    notice_number: &str,
    step: &str,
) -> String {
    let res = client()
        .post(format!("{}/pagopa-sim/sportello", server.url))
        .form(&[
            ("ente_fiscal_code", ente_fiscal_code),
            ("notice_number", notice_number),
            ("step", step),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

/// Pays at the simulated counter like a tobacconist: look the notice up, then collect;
/// a notice the counter refuses to collect ends at the lookup, with its reason.
pub(crate) async fn pay_at_counter(
    server: &TestServer,
    ente_fiscal_code: &str,
    notice_number: &str,
) -> String {
    let page = counter(server, ente_fiscal_code, notice_number, "lookup").await;
    if !page.contains("Incassa") {
        return page;
    }
    counter(server, ente_fiscal_code, notice_number, "pay").await
}

#[tokio::test]
async fn guardian_recharges_online_through_the_pagopa_checkout() {
    let server = TestServer::start().await;
    // Anna Colombo starts with an empty canteen account.
    let mario = server.login("demo", ANNA).await;
    let service = refezione(&server, &mario.access_token).await;
    assert_eq!(service.balance.unwrap().to_string(), "0.00");

    let started: CheckoutStarted = json(
        server
            .post_json(
                &mario.access_token,
                &paths::recharges(service.service_id),
                &serde_json::json!({ "amount": "54,00" }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(started.notice.amount.to_string(), "54.00");
    assert_eq!(started.notice.status, NoticeStatus::Open);
    assert!(sportello_pagopa_number_is_valid(
        &started.notice.notice_number
    ));

    let browser = client();
    let page = browser
        .get(&started.checkout_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("54,00 €"), "{page}");
    assert!(page.contains("Satispay"));
    let back = browser
        .post(&started.checkout_url)
        .form(&[("decision", "pay"), ("method", "satispay")])
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&back),
        format!(
            "/demo/pagamenti/{}?esito=ok&avviso={}",
            service.service_id, started.notice.id
        )
    );

    let after = statement(&server, &mario.access_token, service.service_id).await;
    assert_eq!(after.account.balance.to_string(), "54.00");
    assert_eq!(
        sportello_model::format::euro(after.account.balance),
        "54,00 €"
    );
    assert_eq!(after.movements.total, 1);
    assert_eq!(after.movements.items[0].kind, MovementKind::Recharge);
    assert_eq!(after.movements.items[0].amount.to_string(), "54.00");

    // Submitting the same checkout again (back button, double click) pays nothing more,
    // and says the notice is already paid.
    let again = browser
        .post(&started.checkout_url)
        .form(&[("decision", "pay"), ("method", "carta")])
        .send()
        .await
        .unwrap();
    assert!(location(&again).contains("esito=gia_pagato"));
    let notice: Notice = json(
        server
            .get(&mario.access_token, &paths::notice(started.notice.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(notice.status, NoticeStatus::Paid);
    problem(
        server
            .post_json(
                &mario.access_token,
                &paths::notice_checkout(notice.id),
                &serde_json::json!({}),
            )
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        statement(&server, &mario.access_token, service.service_id)
            .await
            .account
            .balance
            .to_string(),
        "54.00"
    );
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
    // Anna Colombo starts with an empty canteen account.
    let mario = server.login("demo", ANNA).await;
    let service = refezione(&server, &mario.access_token).await;
    let started: CheckoutStarted = json(
        server
            .post_json(
                &mario.access_token,
                &paths::recharges(service.service_id),
                &serde_json::json!({ "amount": "30" }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let back = client()
        .post(&started.checkout_url)
        .form(&[("decision", "cancel")])
        .send()
        .await
        .unwrap();
    assert!(location(&back).contains("esito=annullato"));
    let after = statement(&server, &mario.access_token, service.service_id).await;
    assert_eq!(after.account.balance.to_string(), "0.00");
    // The notice made for this attempt went with it: it cannot be paid any more.
    problem(
        server
            .post_json(
                &mario.access_token,
                &paths::notice_checkout(started.notice.id),
                &serde_json::json!({}),
            )
            .await,
        StatusCode::CONFLICT,
    )
    .await;
}

#[tokio::test]
async fn notice_paid_at_the_counter_credits_once() {
    let server = TestServer::start().await;
    // Anna Colombo starts with an empty canteen account.
    let mario = server.login("demo", ANNA).await;
    let service = refezione(&server, &mario.access_token).await;
    let notice: Notice = json(
        server
            .post_json(
                &mario.access_token,
                &paths::service_notices(service.service_id),
                &serde_json::json!({ "amount": "20" }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let listed: Page<Notice> = json(
        server
            .get(
                &mario.access_token,
                &paths::service_notices(service.service_id),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed.items, vec![notice.clone()]);
    assert!(notice.expires_on.is_some());

    // A tobacconist types the number with spaces, as printed.
    let spaced = format!(
        "{} {} {} {} {}",
        &notice.notice_number[0..4],
        &notice.notice_number[4..8],
        &notice.notice_number[8..12],
        &notice.notice_number[12..16],
        &notice.notice_number[16..]
    );
    let done = pay_at_counter(&server, "80012340155", &spaced).await;
    assert!(done.contains("Pagamento eseguito: 20,00 €"), "{done}");
    let after = statement(&server, &mario.access_token, service.service_id).await;
    assert_eq!(after.account.balance.to_string(), "20.00");

    // A second payment of the same notice is refused as a duplicate.
    let twice = pay_at_counter(&server, "80012340155", &notice.notice_number).await;
    assert!(
        twice.contains("Questo avviso risulta già pagato"),
        "{twice}"
    );
    let after = statement(&server, &mario.access_token, service.service_id).await;
    assert_eq!(after.account.balance.to_string(), "20.00");
    assert_eq!(after.movements.total, 1);

    // A mistyped number is caught by its check digits.
    let mut wrong = notice.notice_number.clone().into_bytes();
    wrong[5] = if wrong[5] == b'9' { b'8' } else { wrong[5] + 1 };
    let page = counter(
        &server,
        "80012340155",
        std::str::from_utf8(&wrong).unwrap(),
        "lookup",
    )
    .await;
    assert!(page.contains("cifre di controllo"), "{page}");
}

#[tokio::test]
async fn the_comune_recharge_rule_is_enforced_with_its_message() {
    let server = TestServer::start().await;
    let giuseppe = server.spid_login("esempio", GIUSEPPE_ESEMPIO).await;
    let service = refezione(&server, &giuseppe.access_token).await;
    let path = paths::service_notices(service.service_id);
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
        ("999999", "L'importo massimo di una ricarica è 540,00 €."),
        // One thousand, in Italian: understood, and above the comune's maximum.
        ("1.000", "L'importo massimo di una ricarica è 540,00 €."),
        (
            "1000000000000,00",
            "L'importo massimo di una ricarica è 540,00 €.",
        ),
    ] {
        let refused = problem(
            server
                .post_json(
                    &giuseppe.access_token,
                    &path,
                    &serde_json::json!({ "amount": amount }),
                )
                .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(refused.field_message("amount"), Some(message), "{amount}");
    }
    let ok: Notice = json(
        server
            .post_json(
                &giuseppe.access_token,
                &path,
                &serde_json::json!({ "amount": "54,00" }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(ok.amount.to_string(), "54.00");
    assert!(
        ok.notice_number.starts_with("002"),
        "aux digit 0 with application code 02"
    );
    let none: Page<Notice> = json(
        server.get(&giuseppe.access_token, &path).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(none.total, 1, "refused amounts created no notice");
}

#[tokio::test]
async fn only_the_guardian_sees_money() {
    let server = TestServer::start().await;
    let mario = server.login("demo", MARIO).await;
    let service = refezione(&server, &mario.access_token).await;
    let notice: Notice = json(
        server
            .post_json(
                &mario.access_token,
                &paths::service_notices(service.service_id),
                &serde_json::json!({ "amount": "10" }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    // Another role may never: it is told so (403), whatever the record.
    for who in [LAURA_DELEGATE, GIULIA_OPERATOR] {
        let tokens = server.login("demo", who).await;
        for path in [
            paths::payment_services(),
            paths::statement(service.service_id),
            paths::service_notices(service.service_id),
            paths::notice(notice.id),
        ] {
            problem(
                server.get(&tokens.access_token, &path).await,
                StatusCode::FORBIDDEN,
            )
            .await;
        }
        problem(
            server
                .post_json(
                    &tokens.access_token,
                    &paths::recharges(service.service_id),
                    &serde_json::json!({ "amount": "10" }),
                )
                .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    // Another family's notice does not exist for Anna.
    let anna = server.login("demo", ANNA).await;
    problem(
        server
            .get(&anna.access_token, &paths::notice(notice.id))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        server
            .post_json(
                &anna.access_token,
                &paths::notice_checkout(notice.id),
                &serde_json::json!({}),
            )
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // An emission service has no statement.
    let trasporto = &trasporto(&server, &mario.access_token).await;
    assert_eq!(
        trasporto.open_emissions,
        Some(2),
        "the demo's two rette to pay"
    );
    problem(
        server
            .get(&mario.access_token, &paths::statement(trasporto.service_id))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn the_notice_pdf_shows_number_amount_and_payer() {
    let server = TestServer::start().await;
    let mario = server.login("demo", MARIO).await;
    let service = refezione(&server, &mario.access_token).await;
    let notice: Notice = json(
        server
            .post_json(
                &mario.access_token,
                &paths::service_notices(service.service_id),
                &serde_json::json!({ "amount": "47,60" }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let pdf = server
        .get(
            &mario.access_token,
            &notice.pdf_url.replace(paths::BASE, ""),
        )
        .await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    let dir = std::env::temp_dir().join(format!(
        "sportello-pdf-{}",
        notice.id + std::process::id() as i64
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("avviso.pdf");
    std::fs::write(&file, &bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", file.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/setup");
    let text = String::from_utf8_lossy(&out.stdout);
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(compact.contains(&notice.notice_number), "{text}");
    assert!(text.contains("47,60 €"), "{text}");
    assert!(text.contains("Mario Albertini"), "{text}");
    assert!(text.contains("LBRMRA80E12F205M"), "{text}");
    std::fs::remove_dir_all(dir).ok();
    // Not Anna's to download.
    let anna = server.login("demo", ANNA).await;
    problem(
        server
            .get(&anna.access_token, &notice.pdf_url.replace(paths::BASE, ""))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn concurrent_and_repeated_receipts_count_exactly_once() {
    use sea_orm::{ConnectionTrait, Statement as Sql};
    let server = TestServer::start().await;
    // Anna Colombo starts with an empty canteen account.
    let mario = server.login("demo", ANNA).await;
    let service = refezione(&server, &mario.access_token).await;
    let mut created = Vec::new();
    for _ in 0..20 {
        let notice: Notice = json(
            server
                .post_json(
                    &mario.access_token,
                    &paths::service_notices(service.service_id),
                    &serde_json::json!({ "amount": "5" }),
                )
                .await,
            StatusCode::CREATED,
        )
        .await;
        created.push(notice);
    }
    // 50 deliveries at once: every receipt twice, and ten notices paid a second time
    // with a different receipt (a real double payment, to be refused).
    let body = |receipt_id: String, notice: &Notice| {
        serde_json::json!({
            "idPA": "80012340155",
            "receipt": {
                "receiptId": receipt_id,
                "noticeNumber": notice.notice_number,
                "fiscalCode": "80012340155",
                "outcome": "OK",
                "creditorReferenceId": notice.iuv,
                "paymentAmount": "5.00",
                "PSPCompanyName": "Banca di Prova",
                "paymentMethod": "CP",
                "paymentDateTime": "2026-11-23T10:15:00Z",
            }
        })
    };
    let mut deliveries = Vec::new();
    for (i, notice) in created.iter().enumerate() {
        for _ in 0..2 {
            deliveries.push(body(format!("RCP{i:04}"), notice));
        }
    }
    for (i, notice) in created.iter().take(10).enumerate() {
        deliveries.push(body(format!("DUP{i:04}"), notice));
    }
    assert_eq!(deliveries.len(), 50);
    let http = client();
    let url = server.api(&paths::receipt_callback());
    let tasks: Vec<_> = deliveries
        .into_iter()
        .map(|b| {
            let http = http.clone();
            let url = url.clone();
            tokio::spawn(async move {
                let res = http
                    .post(url)
                    .header("X-Callback-Key", "sportello-dev-callback-key")
                    .json(&b)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::OK);
                res.json::<serde_json::Value>().await.unwrap()["esito"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
        })
        .collect();
    // Meanwhile the office debits 1,00 € twenty times, and every request is retried.
    let giulia = server.login("demo", GIULIA_OPERATOR).await;
    let debits_path = paths::family_movements(service.service_id, mario.user.id);
    let debits: Vec<_> = (0..40)
        .map(|i| {
            let http = http.clone();
            let url = server.api(&debits_path);
            let token = giulia.access_token.clone();
            tokio::spawn(async move {
                let res = http
                    .post(url)
                    .bearer_auth(token)
                    .json(&serde_json::json!({
                        "kind": "adjustment",
                        "amount": "-1,00",
                        "reason": format!("Quota servizio {}", i % 20),
                        "request_id": format!("debit-{}", i % 20),
                    }))
                    .send()
                    .await
                    .unwrap();
                res.status()
            })
        })
        .collect();
    let mut outcomes = std::collections::HashMap::<String, usize>::new();
    for t in tasks {
        *outcomes.entry(t.await.unwrap()).or_default() += 1;
    }
    assert_eq!(outcomes.get("accepted"), Some(&20), "{outcomes:?}");
    let mut statuses = std::collections::HashMap::<StatusCode, usize>::new();
    for d in debits {
        *statuses.entry(d.await.unwrap()).or_default() += 1;
    }
    assert_eq!(
        statuses.get(&StatusCode::CREATED),
        Some(&20),
        "{statuses:?}"
    );
    assert_eq!(statuses.get(&StatusCode::OK), Some(&20), "{statuses:?}");
    let after = statement(&server, &mario.access_token, service.service_id).await;
    assert_eq!(after.account.balance.to_string(), "80.00");
    assert_eq!(after.movements.total, 40);

    let db = server.database().await;
    let row = db
        .query_one(Sql::from_string(
            db.get_database_backend(),
            "SELECT (SELECT CAST(SUM(amount_cents) AS BIGINT) FROM ledger_movements) AS ledger, \
             (SELECT CAST(SUM(balance_cents) AS BIGINT) FROM prepaid_accounts) AS cached, \
             (SELECT COUNT(*) FROM ledger_movements) AS movements, \
             (SELECT CAST(SUM(movement_count) AS BIGINT) FROM prepaid_accounts) AS counted, \
             (SELECT COUNT(*) FROM receipts) AS receipts",
        ))
        .await
        .unwrap()
        .unwrap();
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
    let again = http
        .post(&url)
        .header("X-Callback-Key", "sportello-dev-callback-key")
        .json(&body("RCP0000".into(), &created[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.json::<serde_json::Value>().await.unwrap()["esito"],
        "already_processed"
    );
    problem(
        http.post(&url)
            .header("X-Callback-Key", "sbagliata")
            .json(&body("X1".into(), &created[1]))
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let wrong_amount = serde_json::json!({
        "idPA": "80012340155",
        "receipt": { "receiptId": "AMT1", "noticeNumber": created[19].notice_number, "fiscalCode": "80012340155",
            "outcome": "OK", "creditorReferenceId": created[19].iuv, "paymentAmount": "4.00",
            "PSPCompanyName": "Banca di Prova", "paymentMethod": "CP", "paymentDateTime": "2026-11-23T10:15:00Z" }
    });
    let refused = http
        .post(&url)
        .header("X-Callback-Key", "sportello-dev-callback-key")
        .json(&wrong_amount)
        .send()
        .await
        .unwrap();
    assert_ne!(
        refused.json::<serde_json::Value>().await.unwrap()["esito"],
        "accepted"
    );
    assert_eq!(
        statement(&server, &mario.access_token, service.service_id)
            .await
            .account
            .balance
            .to_string(),
        "80.00"
    );
}

/// A stand-in for pagoPA's GPD service (wiremock) that answers every request with
/// `status`: an empty position when it succeeds, GPD's ProblemJson when it fails. Its
/// `received_requests` are what the server sent.
pub(crate) async fn gpd_mock(status: u16) -> (String, MockServer) {
    let answer = if status < 300 {
        ResponseTemplate::new(status).set_body_json(serde_json::json!({}))
    } else {
        ResponseTemplate::new(status).set_body_json(serde_json::json!({
            "title": "The debt position creation is failed",
            "status": status,
            "detail": "Creation failed for the debt position with Organization Fiscal Code 80012340155",
        }))
    };
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(answer).mount(&server).await;
    (format!("{}/gpd/v1", server.uri()), server)
}

/// The requests the GPD stand-in has received so far.
pub(crate) async fn gpd_requests(gpd: &MockServer) -> Vec<wiremock::Request> {
    gpd.received_requests().await.expect("recording is on")
}

#[tokio::test]
async fn notices_are_registered_with_pagopa_gpd_when_configured() {
    let (url, gpd) = gpd_mock(201).await;
    let server = TestServer::start_with(&[
        ("PAGOPA_GPD_URL", url.as_str()),
        ("PAGOPA_GPD_KEY", "chiave-di-prova"),
    ])
    .await;
    let mario = server.login("demo", MARIO).await;
    let service = refezione(&server, &mario.access_token).await;
    let notice: Notice = json(
        server
            .post_json(
                &mario.access_token,
                &paths::service_notices(service.service_id),
                &serde_json::json!({ "amount": "25" }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
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

    // pagoPA down: the user is told, and no payable notice is left behind.
    let (down, _gpd) = gpd_mock(500).await;
    let server = TestServer::start_with(&[
        ("PAGOPA_GPD_URL", down.as_str()),
        ("PAGOPA_GPD_KEY", "chiave-di-prova"),
    ])
    .await;
    let mario = server.login("demo", MARIO).await;
    let service = refezione(&server, &mario.access_token).await;
    let refused = problem(
        server
            .post_json(
                &mario.access_token,
                &paths::service_notices(service.service_id),
                &serde_json::json!({ "amount": "25" }),
            )
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        refused.detail.contains("Riprova più tardi"),
        "{}",
        refused.detail
    );
    let listed: Page<Notice> = json(
        server
            .get(
                &mario.access_token,
                &paths::service_notices(service.service_id),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed.total, 0, "a notice pagoPA refused leaves nothing");
    // The same for an emission: no retta, no notice, nothing due.
    let giulia = server.login("demo", GIULIA_OPERATOR).await;
    let services: Vec<PaymentService> = json(
        server
            .get(&mario.access_token, &paths::payment_services())
            .await,
        StatusCode::OK,
    )
    .await;
    let trasporto = services
        .iter()
        .find(|s| s.service_name == "Trasporto Scolastico")
        .unwrap();
    let refused = problem(
        server
            .post_json(
                &giulia.access_token,
                &paths::emit(),
                &serde_json::json!({
                    "guardian_fiscal_code": MARIO,
                    "service_id": trasporto.service_id,
                    "title": "Retta Marzo 2027",
                    "due_date": "2099-03-31",
                    "lines": [{ "description": "Trasporto marzo", "amount": "47,60" }]
                }),
            )
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        refused.detail.contains("Riprova più tardi"),
        "{}",
        refused.detail
    );
    let emissions: Page<serde_json::Value> = json(
        server.get(&mario.access_token, &paths::emissions()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(emissions.total, 3, "only the demo's rette");
    let after: Vec<PaymentService> = json(
        server
            .get(&mario.access_token, &paths::payment_services())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(after, services, "nothing more due");
}

#[tokio::test]
async fn the_statement_shows_the_newest_movement_first_by_its_date() {
    // Tuesday 24/11/2026: last week's meals are charged after today's top-up.
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", "2026-11-24T10:00:00Z")]).await;
    let anna = server.login("demo", ANNA).await;
    let giulia = server.login("demo", GIULIA_OPERATOR).await;
    let service = refezione(&server, &anna.access_token).await.service_id;
    let started: CheckoutStarted = json(
        server
            .post_json(
                &anna.access_token,
                &paths::recharges(service),
                &serde_json::json!({ "amount": "20" }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let paid = client()
        .post(&started.checkout_url)
        .form(&[("decision", "pay"), ("method", "carta")])
        .send()
        .await
        .unwrap();
    assert!(location(&paid).contains("esito=ok"), "{}", location(&paid));
    for day in ["2026-11-18", "2026-11-19", "2026-11-20"] {
        let charged = client()
            .post(server.api(&paths::charges()))
            .bearer_auth(&giulia.access_token)
            .json(&serde_json::json!({ "service_id": service, "day": day }))
            .send()
            .await
            .unwrap();
        assert_eq!(charged.status(), StatusCode::OK, "{day}");
    }
    let page = |token: String, path: String, n: u32| {
        let server = &server;
        async move {
            json::<Statement>(
                server
                    .get(&token, &format!("{path}?per_page=2&page={n}"))
                    .await,
                StatusCode::OK,
            )
            .await
            .movements
        }
    };
    let theirs = paths::statement(service);
    let first = page(anna.access_token.clone(), theirs.clone(), 1).await;
    let second = page(anna.access_token.clone(), theirs, 2).await;
    let read: Vec<_> = first
        .items
        .iter()
        .chain(&second.items)
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
    let guardian = anna.user.id;
    let office = page(
        giulia.access_token.clone(),
        paths::family_statement(service, guardian),
        1,
    )
    .await;
    assert_eq!(office.items, first.items);
}

#[tokio::test]
async fn pagamenti_lists_only_the_services_the_family_uses() {
    let server = TestServer::start().await;
    // Anna Colombo's Luca eats at the canteen and takes no school bus.
    let anna = server.login("demo", ANNA).await;
    let services: Vec<PaymentService> = json(
        server
            .get(&anna.access_token, &paths::payment_services())
            .await,
        StatusCode::OK,
    )
    .await;
    let names: Vec<_> = services.iter().map(|s| s.service_name.as_str()).collect();
    assert_eq!(names, ["Refezione Scolastica"]);
    let mario = server.login("demo", MARIO).await;
    let services: Vec<PaymentService> = json(
        server
            .get(&mario.access_token, &paths::payment_services())
            .await,
        StatusCode::OK,
    )
    .await;
    let names: Vec<_> = services.iter().map(|s| s.service_name.as_str()).collect();
    assert_eq!(names, ["Refezione Scolastica", "Trasporto Scolastico"]);
}

#[tokio::test]
async fn the_office_refunds_and_adjusts_an_account_with_a_reason_once_per_request() {
    let server = TestServer::start().await;
    let giulia = server.login("demo", GIULIA_OPERATOR).await;
    let anna = server.login("demo", ANNA).await;
    let service = refezione(&server, &anna.access_token).await.service_id;
    // The office finds the family from the child's card.
    let children: Page<ChildSummary> = json(
        server
            .get(
                &giulia.access_token,
                &format!("{}?per_page=100", paths::children()),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let luca = children
        .items
        .iter()
        .find(|c| c.first_name == "Luca")
        .unwrap()
        .id;
    let card: ChildDetail = json(
        server.get(&giulia.access_token, &paths::child(luca)).await,
        StatusCode::OK,
    )
    .await;
    let correction = |kind: &str, amount: &str, reason: &str, request: &str| serde_json::json!({ "kind": kind, "amount": amount, "reason": reason, "request_id": request });
    let movements = paths::family_movements(service, card.guardian_id);

    let credit = correction("adjustment", "4,20", "Pasto del 20/11 non consumato", "r-1");
    let made: Movement = json(
        server
            .post_json(&giulia.access_token, &movements, &credit)
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(made.kind, MovementKind::Adjustment);
    assert_eq!(made.description, "Rettifica: Pasto del 20/11 non consumato");
    // The office's connection dropped and the form was sent again: nothing more.
    let again: Movement = json(
        server
            .post_json(&giulia.access_token, &movements, &credit)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again.id, made.id);

    let too_much = problem(
        server
            .post_json(
                &giulia.access_token,
                &movements,
                &correction("refund", "10", "Trasferimento ad altro Comune", "r-2"),
            )
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        too_much.detail,
        "Il rimborso non può superare il saldo disponibile di 4,20 €."
    );
    json::<Movement>(
        server
            .post_json(
                &giulia.access_token,
                &movements,
                &correction("refund", "4.20", "Trasferimento ad altro Comune", "r-3"),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    // Comune di Demo allows a negative balance: a debit may take it below zero.
    json::<Movement>(
        server
            .post_json(
                &giulia.access_token,
                &movements,
                &correction(
                    "adjustment",
                    "-5,00",
                    "Ricarica registrata due volte",
                    "r-4",
                ),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;

    let bad = problem(
        server
            .post_json(
                &giulia.access_token,
                &movements,
                &correction("refund", "-3", " ", "r-5"),
            )
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        bad.field_message("amount"),
        Some("Il rimborso si indica con un importo positivo.")
    );
    assert!(bad.field_message("reason").is_some());
    // An exponent is not an amount: nothing is credited.
    for typed in ["1e3", "1E2", "1_0", "+5"] {
        let bad = problem(
            server
                .post_json(
                    &giulia.access_token,
                    &movements,
                    &correction("adjustment", typed, "Prova", &format!("r-{typed}")),
                )
                .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(bad.field_message("amount"), Some(NOT_A_NUMBER), "{typed}");
    }

    // The family reads each correction with its reason; the office sees the same.
    let theirs = statement(&server, &anna.access_token, service).await;
    assert_eq!(theirs.account.balance.to_string(), "-5.00");
    let descriptions: Vec<_> = theirs
        .movements
        .items
        .iter()
        .map(|m| (m.kind, m.amount.to_string(), m.description.as_str()))
        .collect();
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
        ]
    );
    let office: Statement = json(
        server
            .get(
                &giulia.access_token,
                &paths::family_statement(service, card.guardian_id),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(office.movements.items, theirs.movements.items);

    // Families and delegates cannot correct accounts; a delegate is not a family.
    problem(
        server
            .post_json(
                &anna.access_token,
                &movements,
                &correction("adjustment", "100", "Regalo", "r-6"),
            )
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let laura = server.login("demo", LAURA_DELEGATE).await;
    problem(
        server
            .post_json(
                &giulia.access_token,
                &paths::family_movements(service, laura.user.id),
                &correction("adjustment", "1", "Prova", "r-7"),
            )
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
