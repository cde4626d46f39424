//! Emissions (rette): issued by the comune, listed, paid online, receipt downloaded.

use e2e::payments::{pdf_words, submit_checkout};
use e2e::{field_error, json, problem, TestServer, User, GIULIA_OPERATOR, LAURA_DELEGATE, MARIO};
use reqwest::StatusCode;
use sportello_model::paths;
use sportello_model::payments::{
    CheckoutStarted, EmissionDetail, EmissionStatus, EmissionSummary, PaymentService,
    ReceiptSummary,
};
use sportello_model::Page;

use crate::recharges::NOT_A_NUMBER;

/// The day `days` after today by the server clock, as the API takes it.
async fn due_date_in_days(server: &TestServer, days: i64) -> String {
    (server.today().await + time::Duration::days(days)).to_string()
}

/// Mario (the family), Giulia (the office) and the id of the school bus service.
async fn family_and_office(server: &TestServer) -> (User<'_>, User<'_>, i64) {
    let mario = server.user("demo", MARIO).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let service_id = mario.trasporto().await.service_id;
    (mario, giulia, service_id)
}

/// What Mario's family reads: its emissions and what it has to pay for transport.
async fn mario_owes(mario: &User<'_>, service_id: i64) -> (u64, Option<String>) {
    let list: Page<EmissionSummary> = mario.get_ok(&paths::emissions()).await;
    let services: Vec<PaymentService> = mario.get_ok(&paths::payment_services()).await;
    let due = services.iter().find(|s| s.service_id == service_id);
    (list.total, due.unwrap().amount_due.map(|a| a.to_string()))
}

#[tokio::test]
async fn emission_is_issued_paid_online_and_its_receipt_downloaded() {
    let server = TestServer::start().await;
    let (mario, giulia, service_id) = family_and_office(&server).await;
    let body = serde_json::json!({
        "guardian_fiscal_code": MARIO,
        "service_id": service_id,
        "child_fiscal_code": "LBRGRT15C50F205H",
        "title": "Retta Marzo 2027",
        "due_date": due_date_in_days(&server, 30).await,
        "lines": [
            { "description": "Trasporto Greta Albertini - marzo", "amount": "40,00" },
            { "description": "Quota fissa", "amount": "7.60" }
        ],
        "external_ref": "TRA-2027-03-LBRMRA80E12F205M"
    });
    let issued = giulia.post(&paths::emit(), &body).await;
    let issued: EmissionDetail = json(issued, StatusCode::CREATED).await;
    assert_eq!(issued.summary.amount.to_string(), "47.60");
    assert_eq!(issued.summary.status, EmissionStatus::ToPay);
    assert_eq!(issued.lines.len(), 2);
    // The same request again (a retry) does not bill twice.
    let again = giulia.post(&paths::emit(), &body).await;
    let again: EmissionDetail = json(again, StatusCode::OK).await;
    assert_eq!(again.summary.id, issued.summary.id);

    let list: Page<EmissionSummary> = mario.get_ok(&paths::emissions()).await;
    assert_eq!(list.total, 4, "the demo's three rette and the new one");
    let listed = list
        .items
        .iter()
        .find(|e| e.id == issued.summary.id)
        .unwrap();
    assert_eq!(listed.status.label(), "DA PAGARE");
    assert_eq!(listed.document_number.len(), 18);
    let due = mario.trasporto().await;
    assert_eq!(
        (due.open_emissions, due.amount_due.map(|a| a.to_string())),
        (Some(3), Some("156.40".into())),
        "the demo's 61,20 € and 47,60 € still to pay, and the new 47,60 €"
    );

    let retta = paths::emission(issued.summary.id);
    let detail: EmissionDetail = mario.get_ok(&retta).await;
    assert_eq!(detail.iuv.len(), 17, "aux digit 3: 17-digit IUV");
    assert!(detail.receipt_url.is_none());
    let document = mario.document(&detail.document_url).await;
    assert_eq!(document.headers()["content-type"], "application/pdf");
    // The notice names the service and the child, not only the guardian.
    let described = "Retta Marzo 2027 - Trasporto Scolastico - Greta Albertini";
    let notice_text = pdf_words(&document.bytes().await.unwrap());
    assert!(notice_text.contains(described), "{notice_text}");

    let started = mario
        .post_bare(&paths::notice_checkout(detail.summary.notice_id))
        .await;
    let started: CheckoutStarted = json(started, StatusCode::OK).await;
    let back = submit_checkout(&started.checkout_url, "pay", "mybank").await;
    // Back to the retta's own page, with the outcome.
    let own_page = format!("/demo/pagamenti/emissioni/{}?esito=ok", issued.summary.id);
    assert!(back.contains(&own_page), "{back}");

    let paid: EmissionDetail = mario.get_ok(&retta).await;
    assert_eq!(paid.summary.status.label(), "PAGATO");
    let receipts: Page<ReceiptSummary> = mario.get_ok(&paths::receipts()).await;
    assert_eq!(
        receipts.total, 2,
        "the demo's retta paid at a counter and this one"
    );
    let newest = &receipts.items[0];
    assert_eq!(newest.notice_number, listed.document_number, "newest first");
    assert_eq!(newest.method, "MyBank");
    assert_eq!(newest.description, described);
    assert_eq!(newest.amount.to_string(), "47.60");
    let pdf = mario.document(&paid.receipt_url.unwrap()).await;
    assert_eq!(pdf.status(), StatusCode::OK);
    let text = pdf_words(&pdf.bytes().await.unwrap());
    assert!(text.contains("47,60 €"), "{text}");
    assert!(text.contains(described), "{text}");
    assert!(text.contains(&newest.receipt_id), "{text}");
}

#[tokio::test]
async fn emission_input_is_validated_and_only_staff_may_issue() {
    let server = TestServer::start().await;
    let (mario, giulia, service_id) = family_and_office(&server).await;
    let bad = serde_json::json!({
        "guardian_fiscal_code": "LBRMRA80E12F205X",
        "service_id": 999_999,
        "title": " ",
        "due_date": "2020-01-01",
        "lines": [{ "description": "", "amount": "-3" }]
    });
    let bad = problem(
        giulia.post(&paths::emit(), &bad).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    for field in [
        "guardian_fiscal_code",
        "service_id",
        "title",
        "due_date",
        "lines[0].description",
        "lines[0].amount",
    ] {
        assert!(bad.field_message(field).is_some(), "{field}: {bad:?}");
    }
    // A codice fiscale that is valid but not an intestatario of this comune.
    let retta = |guardian: &str, due_date: &str| {
        serde_json::json!({
            "guardian_fiscal_code": guardian,
            "service_id": service_id,
            "title": "Retta",
            "due_date": due_date,
            "lines": [{ "description": "Retta", "amount": "10" }]
        })
    };
    let due_date = due_date_in_days(&server, 10).await;
    let stranger = giulia
        .post(&paths::emit(), &retta("FRRGPP78D15E897B", &due_date))
        .await;
    assert_eq!(
        field_error(stranger, "guardian_fiscal_code").await,
        "Nessun intestatario registrato con questo codice fiscale."
    );
    let body = retta(MARIO, &due_date);
    problem(
        mario.post(&paths::emit(), &body).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let laura = server.user("demo", LAURA_DELEGATE).await;
    problem(
        laura.post(&paths::emit(), &body).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    for path in [paths::emissions(), paths::receipts()] {
        problem(laura.get(&path).await, StatusCode::FORBIDDEN).await;
    }
    let nothing: Page<EmissionSummary> = mario.get_ok(&paths::emissions()).await;
    assert_eq!(
        nothing.total, 3,
        "refused requests issued nothing beyond the demo's"
    );
}

#[tokio::test]
async fn an_emission_beyond_the_limits_is_refused_and_leaves_nothing() {
    let server = TestServer::start().await;
    let (mario, giulia, service_id) = family_and_office(&server).await;
    let before = mario_owes(&mario, service_id).await;
    assert_eq!(before, (3, Some("108.80".into())), "the demo's rette");
    let due_date = due_date_in_days(&server, 30).await;
    let body = |title: &str, lines: Vec<serde_json::Value>| {
        serde_json::json!({
            "guardian_fiscal_code": MARIO,
            "service_id": service_id,
            "title": title,
            "due_date": due_date,
            "lines": lines,
        })
    };
    let line = |amount: &str| serde_json::json!({ "description": "Retta", "amount": amount });
    let long = "x".repeat(100_000);
    let too_much = "L'importo non può superare 5.000,00 €.";
    let huge = line("92233720368547758,07");
    for (request, field, message) in [
        (vec![line("1000000000000,00")], "lines[0].amount", too_much),
        // Lines that together pass the integer range.
        (vec![huge.clone(), huge], "lines[1].amount", too_much),
        (
            vec![line("5.000"), line("5.000"), line("0,01")],
            "lines",
            "Il totale di un'emissione non può superare 10.000,00 €.",
        ),
        (
            vec![line("1"); 3000],
            "lines",
            "Un'emissione può avere al massimo 50 voci di dettaglio.",
        ),
        (
            vec![serde_json::json!({ "description": long, "amount": "10" })],
            "lines[0].description",
            "La descrizione della voce può contenere al massimo 140 caratteri.",
        ),
        (vec![line("1E2")], "lines[0].amount", NOT_A_NUMBER),
        (vec![line("1_0")], "lines[0].amount", NOT_A_NUMBER),
        (vec![line("1e3")], "lines[0].amount", NOT_A_NUMBER),
    ] {
        let refused = giulia.post(&paths::emit(), &body("Retta", request)).await;
        assert_eq!(field_error(refused, field).await, message);
    }
    let long_title = giulia
        .post(&paths::emit(), &body(&long, vec![line("10")]))
        .await;
    assert_eq!(
        field_error(long_title, "title").await,
        "Il titolo può contenere al massimo 100 caratteri."
    );
    assert_eq!(
        mario_owes(&mario, service_id).await,
        before,
        "refused emissions left nothing: no retta, nothing more due"
    );
    // One thousand euro, written the Italian way, is understood.
    let annual = body("Retta annuale", vec![line("1.000"), line("1.234,50")]);
    let issued = giulia.post(&paths::emit(), &annual).await;
    let issued: EmissionDetail = json(issued, StatusCode::CREATED).await;
    assert_eq!(issued.summary.amount.to_string(), "2234.50");
    assert_eq!(
        mario_owes(&mario, service_id).await,
        (4, Some("2343.30".into()))
    );
}
