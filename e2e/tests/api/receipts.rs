//! Notices paid at the simulated counter and receipts delivered by pagoPA's node to the
//! comune's station (SOAP `paSendRT`/`paSendRTV2`, every answer checked against pagoPA's
//! published schemas): each payment counts exactly once, under retries, reordering and
//! concurrency; what the station refuses writes nothing; the notice's PDF; notices
//! registered with pagoPA's GPD service, and what is left when pagoPA is down.

use e2e::payments::{answer_outcome, gpd_requests, pdf_text, receipt};
use e2e::{problem, TestServer, ANNA, GIULIA_OPERATOR, MARIO};
use reqwest::StatusCode;
use sportello_model::paths;
use sportello_model::payments::{Notice, PaymentService};
use sportello_model::Page;

#[tokio::test]
async fn notice_paid_at_the_counter_credits_once() {
    let server = TestServer::start().await;
    // Anna Colombo's canteen account starts 23,40 € short (last year's meals).
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
    assert_eq!(anna.balance(service).await, "-3.40");

    // A second payment of the same notice is refused as a duplicate.
    let twice = server.pay_at_counter(number).await;
    assert!(
        twice.contains("Questo avviso risulta già pagato"),
        "{twice}"
    );
    let after = anna.statement(service).await;
    assert_eq!(after.account.balance.to_string(), "-3.40");
    assert_eq!(after.movements.total, 2);

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
    // Anna Colombo's canteen account starts 23,40 € short (last year's meals).
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
    let accepted = outcomes.iter().filter(|o| *o == "OK").count();
    assert_eq!(accepted, 20, "{outcomes:?}");
    let count = |status| statuses.iter().filter(|s| **s == status).count();
    assert_eq!(count(StatusCode::CREATED), 20, "{statuses:?}");
    assert_eq!(count(StatusCode::OK), 20, "{statuses:?}");
    let after = anna.statement(service).await;
    assert_eq!(after.account.balance.to_string(), "56.60");
    assert_eq!(after.movements.total, 41);

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

    // The same receipt delivered again later changes nothing: pagoPA's node is told it
    // has it already; one with the wrong amount is refused.
    let again = receipt("RCP0000", &created[0], "5.00", "CP");
    assert_eq!(
        server.receipt_outcome(&again).await,
        "PAA_RECEIPT_DUPLICATA"
    );
    let open = anna.new_notice(service, "5").await;
    let wrong_amount = receipt("AMT1", &open, "4.00", "CP");
    assert_eq!(server.receipt_outcome(&wrong_amount).await, "PAA_SEMANTICA");
    assert_eq!(anna.balance(service).await, "56.60");
}

/// How many receipts the portal has stored.
async fn stored_receipts(server: &TestServer) -> i64 {
    let rows = server.query("SELECT COUNT(*) AS n FROM receipts").await;
    rows[0].try_get("", "n").unwrap()
}

#[tokio::test]
async fn the_node_delivers_v1_and_v2_receipts_in_any_order_each_counted_once() {
    let server = TestServer::start().await;
    let (anna, service) = server.canteen_family(ANNA).await;
    let made = anna.new_notices(service, "5", 3).await;
    let mut first = receipt("ORD0001", &made[0], "5.00", "PO");
    first.primitive = "paSendRT";
    let second = receipt("ORD0002", &made[1], "5.00", "CP");
    let mut third = receipt("ORD0003", &made[2], "5.00", "BBT");
    third.primitive = "paSendRT";
    // The node delivers the last payment first, retries the second after the third,
    // and the first (a paSendRT) last of all.
    for (delivery, expected) in [
        (&third, "OK"),
        (&second, "OK"),
        (&third, "PAA_RECEIPT_DUPLICATA"),
        (&second, "PAA_RECEIPT_DUPLICATA"),
        (&first, "OK"),
        (&first, "PAA_RECEIPT_DUPLICATA"),
    ] {
        assert_eq!(
            server.receipt_outcome(delivery).await,
            expected,
            "{} {}",
            delivery.primitive,
            delivery.receipt_id
        );
    }
    let after = anna.statement(service).await;
    assert_eq!(after.account.balance.to_string(), "-8.40");
    assert_eq!(after.movements.total, 4);
    // Each answer names the primitive it answers.
    let v1 = server.station_answer("paSendRT", first.envelope()).await;
    assert!(v1.contains("paSendRTRes>"), "{v1}");
    let v2 = server.station_answer("paSendRTV2", second.envelope()).await;
    assert!(v2.contains("paSendRTV2Response>"), "{v2}");
}

/// The same notice number with another IUV base: valid check digits, no such notice.
fn unknown_notice(notice: &Notice) -> Notice {
    let first16 = format!("{}9999999999999", &notice.notice_number[..3]);
    let check = first16
        .bytes()
        .fold(0u32, |r, d| (r * 10 + u32::from(d - b'0')) % 93);
    let number = format!("{first16}{check:02}");
    Notice {
        iuv: number[1..].to_string(),
        notice_number: number,
        ..notice.clone()
    }
}

#[tokio::test]
async fn the_station_refuses_what_is_not_for_it_and_writes_nothing() {
    let server = TestServer::start().await;
    let (anna, service) = server.canteen_family(ANNA).await;
    let notice = anna.new_notice(service, "5").await;
    let stored = stored_receipts(&server).await;
    let good = receipt("REF0001", &notice, "5.00", "CP");

    // Addressed to a comune the installation does not serve, another intermediary or
    // another station.
    let mut other_comune = good.clone();
    other_comune.id_pa = "00000000000".into();
    let mut other_broker = good.clone();
    other_broker.id_broker_pa = "99999999999".into();
    let mut other_station = good.clone();
    other_station.id_station = "01234567890_02".into();
    for (delivery, fault) in [
        (&other_comune, "PAA_ID_DOMINIO_ERRATO"),
        (&other_broker, "PAA_ID_INTERMEDIARIO_ERRATO"),
        (&other_station, "PAA_STAZIONE_INT_ERRATA"),
    ] {
        assert_eq!(server.receipt_outcome(delivery).await, fault);
    }

    // Envelopes the schema refuses: not XML, JSON, the callback's old body, a missing
    // element, a wrong namespace, an amount without cents. The answer still follows
    // the schema, for the primitive the SOAPAction names.
    let envelope = good.envelope();
    let malformed = [
        "<soapenv:Envelope".to_string(),
        r#"{"idPA": "80012340156"}"#.to_string(),
        envelope.replace("<idStation>01234567890_01</idStation>", ""),
        envelope.replace(
            "pagopa-api.pagopa.gov.it/pa/paForNode.xsd",
            "example.org/paForNode",
        ),
        envelope.replace("<paymentAmount>5.00", "<paymentAmount>5"),
    ];
    for xml in malformed {
        let answer = server.station_answer("paSendRTV2", xml.clone()).await;
        assert_eq!(answer_outcome(&answer), "PAA_SINTASSI_XSD", "{xml}");
        assert!(answer.contains("paSendRTV2Response>"), "{answer}");
    }

    // Only pagoPA's node may deliver: without its certificate's subject, or another one,
    // the answer is 401 and nothing is read.
    for subject in [None, Some("CN=Qualcun altro,O=Esempio")] {
        let refused = server
            .post_to_station(subject, "paSendRTV2", good.envelope())
            .await;
        problem(refused, StatusCode::UNAUTHORIZED).await;
    }
    assert_eq!(
        stored_receipts(&server).await,
        stored,
        "nothing was written"
    );
    assert_eq!(anna.balance(service).await, "-23.40");

    // A notice the comune never issued: stored for the office, refused to the node.
    let unknown = receipt("UNK0001", &unknown_notice(&notice), "5.00", "CP");
    assert_eq!(
        server.receipt_outcome(&unknown).await,
        "PAA_PAGAMENTO_SCONOSCIUTO"
    );
    assert_eq!(stored_receipts(&server).await, stored + 1);

    // The good receipt then goes through, once.
    assert_eq!(server.receipt_outcome(&good).await, "OK");
    assert_eq!(anna.balance(service).await, "-18.40");
}

/// The simulator's payments reach the station as pagoPA's node delivers them: a payment
/// at the counter is a stored receipt with the simulator's PSP and the notice's debtor.
#[tokio::test]
async fn the_simulator_delivers_receipts_through_the_station() {
    let server = TestServer::start().await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let notice = mario.new_notice(service, "12,50").await;
    let done = server.pay_at_counter(&notice.notice_number).await;
    assert!(done.contains("Pagamento eseguito: 12,50 €"), "{done}");
    let rows = server
        .query(&format!(
            "SELECT psp, method, amount_cents, payer_fiscal_code FROM receipts WHERE notice_number = '{}'",
            notice.notice_number
        ))
        .await;
    let [row] = rows.as_slice() else {
        panic!("one receipt for the notice");
    };
    assert_eq!(
        row.try_get::<String>("", "psp").unwrap(),
        "Simulatore pagoPA"
    );
    assert_eq!(row.try_get::<String>("", "method").unwrap(), "sportello");
    assert_eq!(row.try_get::<i64>("", "amount_cents").unwrap(), 1250);
    assert_eq!(
        row.try_get::<Option<String>>("", "payer_fiscal_code")
            .unwrap()
            .as_deref(),
        Some(MARIO)
    );
    assert_eq!(mario.balance(service).await, "12.50");
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
        "/gpd/v1/organizations/80012340156/debtpositions"
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
