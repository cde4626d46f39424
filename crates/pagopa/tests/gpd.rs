//! The GPD client against a wiremock stand-in for GPD on 127.0.0.1: it answers as GPD's
//! published API does (its ProblemJson errors included) and records every request
//! (method, path, headers, body) for the assertions.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use sportello_model::payments::NoticeDeadline;
use sportello_pagopa::{
    iupd, DebtPosition, EnteFiscalCode, Error, GpdClient, GpdConfig, NoticeNumber, Payer,
    PaymentGateway, SUBSCRIPTION_KEY_HEADER,
};
use time::macros::date;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The service's path, as in GPD's base URL.
const BASE: &str = "/gpd/debt-positions-service/v1";
const POSITIONS: &str = "/gpd/debt-positions-service/v1/organizations/00123450165/debtpositions";
const INVALIDATE: &str = "/gpd/debt-positions-service/v1/organizations/00123450165/debtpositions/\
                          00123450165-01000000000000144/invalidate";

/// An error answer as GPD gives it: a ProblemJson with its title and detail.
fn problem(status: u16, title: &str, detail: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(serde_json::json!({
        "title": title,
        "status": status,
        "detail": detail,
    }))
}

/// A stand-in for GPD answering the POSTs to `route` with `answers`, one each, in order.
async fn gpd(route: &str, answers: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    for answer in answers {
        Mock::given(method("POST"))
            .and(path(route))
            .respond_with(answer)
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
    }
    server
}

fn base_url(server: &MockServer) -> String {
    format!("{}{BASE}/", server.uri())
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("recording is on")
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

fn client(base_url: &str) -> GpdClient {
    GpdClient::new(GpdConfig {
        base_url: base_url.to_string(),
        subscription_key: "chiave-segreta".into(),
        timeout: Duration::from_secs(5),
    })
    .expect("valid configuration")
}

fn position() -> DebtPosition {
    DebtPosition {
        ente_fiscal_code: EnteFiscalCode::parse("00123450165").expect("valid"),
        ente_name: "Comune di Mozzecane".to_string(),
        notice_number: NoticeNumber::parse("301000000000000144").expect("valid"),
        amount_cents: 4760,
        description: "Retta Marzo 2024".to_string(),
        deadline: NoticeDeadline::ValidUntil(date!(2024 - 04 - 27)),
        payer: Payer {
            full_name: "Niccolò Rossi".to_string(),
            fiscal_code: "RSSNCL80A01H501U".to_string(),
        },
        iban: "IT60X0542811101000000123456".to_string(),
        taxonomy: "9/0101108TS/".to_string(),
    }
}

#[tokio::test]
async fn creates_a_published_debt_position() {
    let server = gpd(POSITIONS, vec![ResponseTemplate::new(201)]).await;
    let gateway: Arc<dyn PaymentGateway> = Arc::new(client(&base_url(&server)));
    gateway
        .create_debt_position(&position())
        .await
        .expect("created");

    let request = &requests(&server).await[0];
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), POSITIONS);
    assert_eq!(request.url.query(), Some("toPublish=true"));
    assert_eq!(
        header(request, SUBSCRIPTION_KEY_HEADER),
        Some("chiave-segreta")
    );
    assert_eq!(header(request, "content-type"), Some("application/json"));
    assert_eq!(header(request, "accept"), Some("application/json"));
    assert_eq!(
        request
            .body_json::<serde_json::Value>()
            .expect("a JSON body"),
        serde_json::json!({
            "iupd": "00123450165-01000000000000144",
            "type": "F",
            "fiscalCode": "RSSNCL80A01H501U",
            "fullName": "Niccolò Rossi",
            "companyName": "Comune di Mozzecane",
            "switchToExpired": true,
            "paymentOption": [{
                "nav": "301000000000000144",
                "iuv": "01000000000000144",
                "amount": 4760,
                "description": "Retta Marzo 2024",
                "isPartialPayment": false,
                "dueDate": "2024-04-27T23:59:59",
                "transfer": [{
                    "idTransfer": "1",
                    "amount": 4760,
                    "organizationFiscalCode": "00123450165",
                    "remittanceInformation": "Retta Marzo 2024",
                    "category": "9/0101108TS/",
                    "iban": "IT60X0542811101000000123456",
                }],
            }],
        })
    );
}

/// The body GPD receives for the test position with `deadline`.
async fn sent_with(deadline: NoticeDeadline) -> serde_json::Value {
    let server = gpd(POSITIONS, vec![ResponseTemplate::new(201)]).await;
    let mut p = position();
    p.deadline = deadline;
    client(&base_url(&server))
        .create_debt_position(&p)
        .await
        .expect("created");
    let body = requests(&server).await[0].body_json().expect("JSON");
    body
}

#[tokio::test]
async fn a_retta_is_due_by_its_date_and_stays_payable_after_it() {
    let body = sent_with(NoticeDeadline::DueBy(date!(2024 - 04 - 27))).await;
    assert_eq!(body["switchToExpired"], false);
    assert_eq!(body["paymentOption"][0]["dueDate"], "2024-04-27T23:59:59");
}

#[tokio::test]
async fn a_notice_without_due_date_never_expires() {
    let body = sent_with(NoticeDeadline::Open).await;
    assert_eq!(body["switchToExpired"], false);
    assert_eq!(body["paymentOption"][0]["dueDate"], "2099-12-31T23:59:59");
}

#[tokio::test]
async fn maps_duplicates_and_rejections() {
    let server = gpd(
        POSITIONS,
        vec![
            problem(
                409,
                "The debt position violated constraints of uniqueness",
                "Already exists a debt position for the Organization Fiscal Code 00123450165 \
                 or one of its payment options is not unique",
            ),
            problem(
                400,
                "Error in the debt position request data",
                "dueDate must be in the future",
            ),
            problem(
                500,
                "The debt position creation is failed",
                "Creation failed for the debt position with Organization Fiscal Code 00123450165",
            ),
        ],
    )
    .await;
    let gpd = client(&base_url(&server));

    let err = gpd
        .create_debt_position(&position())
        .await
        .expect_err("duplicate");
    assert!(matches!(err, Error::PositionExists), "{err:?}");
    assert_eq!(
        err.to_string(),
        "La posizione debitoria esiste già su pagoPA."
    );

    match gpd.create_debt_position(&position()).await {
        Err(Error::Rejected { status, detail }) => {
            assert_eq!(status, 400);
            assert!(detail.contains("dueDate must be in the future"), "{detail}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }

    let err = gpd
        .create_debt_position(&position())
        .await
        .expect_err("server error");
    assert_eq!(
        err.to_string(),
        "Il servizio pagoPA ha rifiutato la richiesta (HTTP 500)."
    );
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn cancels_by_invalidating_the_position() {
    let server = gpd(
        INVALIDATE,
        vec![
            ResponseTemplate::new(200),
            problem(
                404,
                "Not found the debt position",
                "Not found a debt position for Organization Fiscal Code 00123450165 \
                 and IUPD 00123450165-01000000000000144",
            ),
            problem(
                409,
                "Existing related payment found or not in invalidable state",
                "A payment transaction has already been carried out or, the debt position \
                 with Organization Fiscal Code 00123450165 and IUPD \
                 00123450165-01000000000000144, is not in invalidable state",
            ),
        ],
    )
    .await;
    let gpd = client(&base_url(&server));
    let p = position();

    gpd.cancel_debt_position(&p.ente_fiscal_code, &p.notice_number)
        .await
        .expect("cancelled");
    let request = &requests(&server).await[0];
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), INVALIDATE);
    assert_eq!(
        header(request, SUBSCRIPTION_KEY_HEADER),
        Some("chiave-segreta")
    );
    assert!(request.body.is_empty());

    let err = gpd
        .cancel_debt_position(&p.ente_fiscal_code, &p.notice_number)
        .await
        .expect_err("unknown");
    assert!(matches!(err, Error::PositionNotFound), "{err:?}");

    let err = gpd
        .cancel_debt_position(&p.ente_fiscal_code, &p.notice_number)
        .await
        .expect_err("already paid");
    assert!(
        matches!(err, Error::Rejected { status: 409, .. }),
        "{err:?}"
    );
    assert_eq!(requests(&server).await.len(), 3);
}

#[test]
fn the_iupd_is_the_ente_and_the_iuv() {
    let p = position();
    assert_eq!(
        iupd(&p.ente_fiscal_code, &p.notice_number),
        "00123450165-01000000000000144"
    );
}

#[tokio::test]
async fn an_unreachable_service_is_reported_as_such() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let err = client(&format!("http://127.0.0.1:{port}/v1"))
        .create_debt_position(&position())
        .await
        .expect_err("nobody listens");
    assert!(matches!(err, Error::Unreachable(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "Il servizio pagoPA non è raggiungibile. Riprova più tardi."
    );
}

#[tokio::test]
async fn checks_the_position_before_calling_pagopa() {
    let server = MockServer::start().await;
    let gpd = client(&base_url(&server));

    let mut p = position();
    p.iban = String::new();
    assert_eq!(
        gpd.create_debt_position(&p)
            .await
            .expect_err("no IBAN")
            .to_string(),
        "Manca un dato obbligatorio: IBAN di accredito."
    );
    let mut p = position();
    p.amount_cents = 0;
    assert!(matches!(
        gpd.create_debt_position(&p).await,
        Err(Error::Amount)
    ));
    assert!(requests(&server).await.is_empty());
}

#[test]
fn refuses_unusable_configurations_and_hides_the_key() {
    let config = |base_url: &str, key: &str| GpdConfig {
        base_url: base_url.to_string(),
        subscription_key: key.into(),
        timeout: Duration::from_secs(5),
    };
    for (base_url, key) in [
        ("non è un indirizzo", "chiave"),
        ("ftp://example.org/gpd", "chiave"),
        ("https://example.org/gpd", " "),
        ("https://example.org/gpd", "chiave\nsegreta"),
    ] {
        let err = GpdClient::new(config(base_url, key)).expect_err(base_url);
        assert!(matches!(err, Error::Config(_)), "{err:?}");
        assert!(err
            .to_string()
            .starts_with("Configurazione pagoPA non valida: "));
    }
    let debug = format!("{:?}", config("https://example.org/gpd", "chiave-segreta"));
    assert!(!debug.contains("chiave-segreta"), "{debug}");
    let client = GpdClient::new(config("https://example.org/gpd", "chiave-segreta"))
        .expect("valid configuration");
    assert!(!format!("{client:?}").contains("chiave-segreta"));
}
