//! Emissions (rette): issued by the comune, listed, paid online, receipt downloaded.

use e2e::{client, json, location, problem, TestServer, GIULIA_OPERATOR, LAURA_DELEGATE, MARIO};
use reqwest::StatusCode;
use sportello_model::paths;
use sportello_model::payments::{
    CheckoutStarted, EmissionDetail, EmissionStatus, EmissionSummary, PaymentService,
    ReceiptSummary,
};
use sportello_model::Page;

/// The day `days` after today by the server clock, as the API takes it.
async fn due_date_in_days(server: &TestServer, days: i64) -> String {
    (server.today().await + time::Duration::days(days)).to_string()
}

/// The text of a PDF, its runs of blanks made single spaces.
fn pdf_text(bytes: &[u8]) -> String {
    let file = std::env::temp_dir().join(format!(
        "sportello-{}-{}.pdf",
        std::process::id(),
        bytes.len()
    ));
    std::fs::write(&file, bytes).unwrap();
    let text = std::process::Command::new("pdftotext")
        .args([file.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext");
    std::fs::remove_file(&file).ok();
    String::from_utf8_lossy(&text.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

async fn trasporto_id(server: &TestServer, guardian_token: &str) -> i64 {
    crate::payments::trasporto(server, guardian_token)
        .await
        .service_id
}

fn issue(
    server: &TestServer,
    token: &str,
    body: serde_json::Value,
) -> impl std::future::Future<Output = reqwest::Response> {
    let request = client()
        .post(server.api(&paths::emit()))
        .bearer_auth(token)
        .json(&body);
    async move { request.send().await.unwrap() }
}

#[tokio::test]
async fn emission_is_issued_paid_online_and_its_receipt_downloaded() {
    let server = TestServer::start().await;
    let mario = server.login("demo", MARIO).await;
    let giulia = server.login("demo", GIULIA_OPERATOR).await;
    let service_id = trasporto_id(&server, &mario.access_token).await;
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
    let issued: EmissionDetail = json(
        issue(&server, &giulia.access_token, body.clone()).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(issued.summary.amount.to_string(), "47.60");
    assert_eq!(issued.summary.status, EmissionStatus::ToPay);
    assert_eq!(issued.lines.len(), 2);
    // The same request again (a retry) does not bill twice.
    let again: EmissionDetail = json(
        issue(&server, &giulia.access_token, body).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again.summary.id, issued.summary.id);

    let list: Page<EmissionSummary> = json(
        server.get(&mario.access_token, &paths::emissions()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list.total, 4, "the demo's three rette and the new one");
    let listed = list
        .items
        .iter()
        .find(|e| e.id == issued.summary.id)
        .unwrap();
    assert_eq!(listed.status.label(), "DA PAGARE");
    assert_eq!(listed.document_number.len(), 18);
    let services: Vec<PaymentService> = json(
        server
            .get(&mario.access_token, &paths::payment_services())
            .await,
        StatusCode::OK,
    )
    .await;
    let due = services
        .iter()
        .find(|s| s.service_id == service_id)
        .unwrap();
    assert_eq!(
        (due.open_emissions, due.amount_due.map(|a| a.to_string())),
        (Some(3), Some("156.40".into())),
        "the demo's 61,20 € and 47,60 € still to pay, and the new 47,60 €"
    );

    let detail: EmissionDetail = json(
        server
            .get(&mario.access_token, &paths::emission(issued.summary.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(detail.iuv.len(), 17, "aux digit 3: 17-digit IUV");
    assert!(detail.receipt_url.is_none());
    let document = server
        .get(
            &mario.access_token,
            &detail.document_url.replace(paths::BASE, ""),
        )
        .await;
    assert_eq!(document.headers()["content-type"], "application/pdf");
    // The notice names the service and the child, not only the guardian.
    let notice_text = pdf_text(&document.bytes().await.unwrap());
    assert!(
        notice_text.contains("Retta Marzo 2027 - Trasporto Scolastico - Greta Albertini"),
        "{notice_text}"
    );

    let started: CheckoutStarted = json(
        client()
            .post(server.api(&paths::notice_checkout(detail.notice_id)))
            .bearer_auth(&mario.access_token)
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let back = client()
        .post(&started.checkout_url)
        .form(&[("decision", "pay"), ("method", "mybank")])
        .send()
        .await
        .unwrap();
    // Back to the retta's own page, with the outcome.
    assert!(
        location(&back).contains(&format!(
            "/demo/pagamenti/emissioni/{}?esito=ok",
            issued.summary.id
        )),
        "{}",
        location(&back)
    );

    let paid: EmissionDetail = json(
        server
            .get(&mario.access_token, &paths::emission(issued.summary.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(paid.summary.status.label(), "PAGATO");
    let receipts: Page<ReceiptSummary> = json(
        server.get(&mario.access_token, &paths::receipts()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        receipts.total, 2,
        "the demo's retta paid at a counter and this one"
    );
    assert_eq!(
        receipts.items[0].notice_number, listed.document_number,
        "newest first"
    );
    assert_eq!(receipts.items[0].method, "MyBank");
    assert_eq!(
        receipts.items[0].description,
        "Retta Marzo 2027 - Trasporto Scolastico - Greta Albertini"
    );
    assert_eq!(receipts.items[0].amount.to_string(), "47.60");
    let pdf = server
        .get(
            &mario.access_token,
            &paid.receipt_url.unwrap().replace(paths::BASE, ""),
        )
        .await;
    assert_eq!(pdf.status(), StatusCode::OK);
    let text = pdf_text(&pdf.bytes().await.unwrap());
    assert!(text.contains("47,60 €"), "{text}");
    assert!(
        text.contains("Retta Marzo 2027 - Trasporto Scolastico - Greta Albertini"),
        "{text}"
    );
    assert!(text.contains(&receipts.items[0].receipt_id), "{text}");
}

#[tokio::test]
async fn emission_input_is_validated_and_only_staff_may_issue() {
    let server = TestServer::start().await;
    let mario = server.login("demo", MARIO).await;
    let giulia = server.login("demo", GIULIA_OPERATOR).await;
    let service_id = trasporto_id(&server, &mario.access_token).await;
    let bad = problem(
        issue(
            &server,
            &giulia.access_token,
            serde_json::json!({
                "guardian_fiscal_code": "LBRMRA80E12F205X",
                "service_id": 999_999,
                "title": " ",
                "due_date": "2020-01-01",
                "lines": [{ "description": "", "amount": "-3" }]
            }),
        )
        .await,
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
    let stranger = problem(
        issue(
            &server,
            &giulia.access_token,
            serde_json::json!({
                "guardian_fiscal_code": "FRRGPP78D15E897B",
                "service_id": service_id,
                "title": "Retta",
                "due_date": due_date_in_days(&server, 10).await,
                "lines": [{ "description": "Retta", "amount": "10" }]
            }),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        stranger.field_message("guardian_fiscal_code"),
        Some("Nessun intestatario registrato con questo codice fiscale.")
    );
    let body = serde_json::json!({
        "guardian_fiscal_code": MARIO,
        "service_id": service_id,
        "title": "Retta",
        "due_date": due_date_in_days(&server, 10).await,
        "lines": [{ "description": "Retta", "amount": "10" }]
    });
    problem(
        issue(&server, &mario.access_token, body.clone()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let laura = server.login("demo", LAURA_DELEGATE).await;
    problem(
        issue(&server, &laura.access_token, body).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        server.get(&laura.access_token, &paths::emissions()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        server.get(&laura.access_token, &paths::receipts()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let nothing: Page<EmissionSummary> = json(
        server.get(&mario.access_token, &paths::emissions()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        nothing.total, 3,
        "refused requests issued nothing beyond the demo's"
    );
}

/// What Mario's family reads: its emissions and what it has to pay for transport.
async fn mario_owes(server: &TestServer, token: &str, service_id: i64) -> (u64, Option<String>) {
    let list: Page<EmissionSummary> =
        json(server.get(token, &paths::emissions()).await, StatusCode::OK).await;
    let services: Vec<PaymentService> = json(
        server.get(token, &paths::payment_services()).await,
        StatusCode::OK,
    )
    .await;
    let due = services
        .iter()
        .find(|s| s.service_id == service_id)
        .unwrap()
        .amount_due
        .map(|a| a.to_string());
    (list.total, due)
}

#[tokio::test]
async fn an_emission_beyond_the_limits_is_refused_and_leaves_nothing() {
    let server = TestServer::start().await;
    let mario = server.login("demo", MARIO).await;
    let giulia = server.login("demo", GIULIA_OPERATOR).await;
    let service_id = trasporto_id(&server, &mario.access_token).await;
    let before = mario_owes(&server, &mario.access_token, service_id).await;
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
    let not_a_number =
        "Scrivi l'importo in cifre, con la virgola per i decimali (ad esempio 54,00 o 1.234,50).";
    let long = "x".repeat(100_000);
    for (request, field, message) in [
        (
            body("Retta", vec![line("1000000000000,00")]),
            "lines[0].amount",
            "L'importo non può superare 5.000,00 €.",
        ),
        // Lines that together pass the integer range.
        (
            body(
                "Retta",
                vec![line("92233720368547758,07"), line("92233720368547758,07")],
            ),
            "lines[1].amount",
            "L'importo non può superare 5.000,00 €.",
        ),
        (
            body("Retta", vec![line("5.000"), line("5.000"), line("0,01")]),
            "lines",
            "Il totale di un'emissione non può superare 10.000,00 €.",
        ),
        (
            body("Retta", vec![line("1"); 3000]),
            "lines",
            "Un'emissione può avere al massimo 50 voci di dettaglio.",
        ),
        (
            body(&long, vec![line("10")]),
            "title",
            "Il titolo può contenere al massimo 100 caratteri.",
        ),
        (
            body(
                "Retta",
                vec![serde_json::json!({ "description": long, "amount": "10" })],
            ),
            "lines[0].description",
            "La descrizione della voce può contenere al massimo 140 caratteri.",
        ),
        (
            body("Retta", vec![line("1E2")]),
            "lines[0].amount",
            not_a_number,
        ),
        (
            body("Retta", vec![line("1_0")]),
            "lines[0].amount",
            not_a_number,
        ),
        (
            body("Retta", vec![line("1e3")]),
            "lines[0].amount",
            not_a_number,
        ),
    ] {
        let refused = problem(
            issue(&server, &giulia.access_token, request).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(refused.field_message(field), Some(message), "{refused:?}");
    }
    assert_eq!(
        mario_owes(&server, &mario.access_token, service_id).await,
        before,
        "refused emissions left nothing: no retta, nothing more due"
    );
    // One thousand euro, written the Italian way, is understood.
    let issued: EmissionDetail = json(
        issue(
            &server,
            &giulia.access_token,
            body("Retta annuale", vec![line("1.000"), line("1.234,50")]),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(issued.summary.amount.to_string(), "2234.50");
    assert_eq!(
        mario_owes(&server, &mario.access_token, service_id).await,
        (4, Some("2343.30".into()))
    );
}
