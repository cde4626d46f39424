//! The GPD client against a local HTTP mock on 127.0.0.1 that records each request (method,
//! target, headers, body) and answers from a script.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use sportello_model::payments::NoticeDeadline;
use sportello_pagopa::{
    iupd, DebtPosition, EnteFiscalCode, Error, GpdClient, GpdConfig, NoticeNumber, Payer,
    PaymentGateway,
};
use time::macros::date;

/// One request as the mock saw it; header names are lower-cased.
#[derive(Debug)]
struct Recorded {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Recorded {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

fn read_request(stream: &mut TcpStream) -> Recorded {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buf).expect("read the request");
        assert!(n > 0, "connection closed before the headers ended");
        data.extend_from_slice(&buf[..n]);
        if let Some(pos) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8(data[..head_end].to_vec()).expect("ASCII headers");
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().expect("request line").split(' ');
    let method = request_line.next().expect("method").to_string();
    let target = request_line.next().expect("target").to_string();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (name, value) = l.split_once(':').expect("header");
            (name.trim().to_ascii_lowercase(), value.trim().to_string())
        })
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse().expect("content length"))
        .unwrap_or(0);
    let mut body = data[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut buf).expect("read the body");
        assert!(n > 0, "connection closed before the body ended");
        body.extend_from_slice(&buf[..n]);
    }
    Recorded {
        method,
        target,
        headers,
        body,
    }
}

/// Starts a mock that answers the given (status, body) pairs in order, one connection
/// each, and sends every request it reads to the returned channel.
fn mock(script: Vec<(u16, &'static str)>) -> (String, mpsc::Receiver<Recorded>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the mock");
    let address = listener.local_addr().expect("mock address");
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for (status, body) in script {
            let (mut stream, _) = listener.accept().expect("accept");
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .expect("timeout");
            let request = read_request(&mut stream);
            let response = format!(
                "HTTP/1.1 {status} Mock\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            stream
                .write_all(response.as_bytes())
                .expect("write the response");
            if sender.send(request).is_err() {
                return;
            }
        }
    });
    (
        format!("http://{address}/gpd/debt-positions-service/v1/"),
        receiver,
    )
}

fn next(receiver: &mpsc::Receiver<Recorded>) -> Recorded {
    receiver
        .recv_timeout(Duration::from_secs(10))
        .expect("the mock received a request")
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

const PROBLEM: &str =
    r#"{"title":"Bad Request","status":400,"detail":"dueDate must be in the future"}"#;

#[tokio::test]
async fn creates_a_published_debt_position() {
    let (base_url, requests) = mock(vec![(201, "{}")]);
    let gateway: Arc<dyn PaymentGateway> = Arc::new(client(&base_url));
    gateway
        .create_debt_position(&position())
        .await
        .expect("created");

    let request = next(&requests);
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.target,
        "/gpd/debt-positions-service/v1/organizations/00123450165/debtpositions?toPublish=true"
    );
    assert_eq!(
        request.header("ocp-apim-subscription-key"),
        Some("chiave-segreta")
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(
        request.json(),
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

#[tokio::test]
async fn a_retta_is_due_by_its_date_and_stays_payable_after_it() {
    let (base_url, requests) = mock(vec![(201, "{}")]);
    let mut p = position();
    p.deadline = NoticeDeadline::DueBy(date!(2024 - 04 - 27));
    client(&base_url)
        .create_debt_position(&p)
        .await
        .expect("created");
    let body = next(&requests).json();
    assert_eq!(body["switchToExpired"], false);
    assert_eq!(body["paymentOption"][0]["dueDate"], "2024-04-27T23:59:59");
}

#[tokio::test]
async fn a_notice_without_due_date_never_expires() {
    let (base_url, requests) = mock(vec![(201, "{}")]);
    let mut p = position();
    p.deadline = NoticeDeadline::Open;
    client(&base_url)
        .create_debt_position(&p)
        .await
        .expect("created");
    let body = next(&requests).json();
    assert_eq!(body["switchToExpired"], false);
    assert_eq!(body["paymentOption"][0]["dueDate"], "2099-12-31T23:59:59");
}

#[tokio::test]
async fn maps_duplicates_and_rejections() {
    let (base_url, requests) = mock(vec![(409, PROBLEM), (400, PROBLEM), (500, "")]);
    let gpd = client(&base_url);

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
    for _ in 0..3 {
        assert_eq!(next(&requests).method, "POST");
    }
}

#[tokio::test]
async fn cancels_by_invalidating_the_position() {
    let (base_url, requests) = mock(vec![(200, "{}"), (404, PROBLEM), (409, PROBLEM)]);
    let gpd = client(&base_url);
    let p = position();
    let path = "/gpd/debt-positions-service/v1/organizations/00123450165/debtpositions/\
                00123450165-01000000000000144/invalidate";

    gpd.cancel_debt_position(&p.ente_fiscal_code, &p.notice_number)
        .await
        .expect("cancelled");
    let request = next(&requests);
    assert_eq!(request.method, "POST");
    assert_eq!(request.target, path);
    assert_eq!(
        request.header("ocp-apim-subscription-key"),
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
    assert_eq!(next(&requests).target, path);
    assert_eq!(next(&requests).target, path);
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
    let (base_url, requests) = mock(vec![]);
    let gpd = client(&base_url);

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
    assert!(requests.recv_timeout(Duration::from_millis(200)).is_err());
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
