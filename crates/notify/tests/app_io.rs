//! The App IO client against the stand-in built from IO's published OpenAPI: what the
//! client sends, and what each of IO's answers means for the outbox (delivered, retry
//! later, or permanent).

use std::time::Duration;

use serde_json::json;
use sportello_model::FiscalCode;
use sportello_notify::io::{Client, Config, FeatureLevel, Message, PaymentData};
use sportello_notify::mock::{AppIoStandIn, IoRefusal};
use sportello_notify::{DeliveryError, Failure};
use sportello_pagopa::{EnteFiscalCode, NoticeNumber};
use time::macros::datetime;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "io-service-key-5e8d1a";
/// Anna Colombo's codice fiscale.
const ANNA: &str = "CLMNNA85M41F205G";
const MARKDOWN: &str = "Gentile famiglia,\n\nla mensa scolastica **resterà chiusa** venerdì \
                        4 dicembre per sciopero del personale. Il pasto non sarà addebitato.";

fn client(base_url: &str, key: &str) -> Client {
    Client::new(Config {
        base_url: base_url.to_string(),
        subscription_key: key.into(),
        timeout: Duration::from_secs(5),
    })
    .expect("valid configuration")
}

fn message(subject: &str) -> Message {
    Message {
        fiscal_code: FiscalCode::parse(ANNA).expect("valid"),
        subject: subject.to_string(),
        markdown: MARKDOWN.to_string(),
        payment_data: None,
        due_date: None,
        time_to_live: None,
        feature_level: FeatureLevel::Standard,
    }
}

async fn io() -> (AppIoStandIn, Client) {
    let io = AppIoStandIn::start(KEY).await;
    let client = client(&io.base_url(), KEY);
    (io, client)
}

#[tokio::test]
async fn a_citizen_who_allows_the_service_gets_the_message() {
    let (io, client) = io().await;
    io.citizen(ANNA, true);
    let delivered = client
        .send(&message("Mensa chiusa venerdì"))
        .await
        .expect("delivered");
    assert_eq!(delivered.provider_id, "01JD0000000000000000000001");
    let requests = io.requests().await;
    let sent: Vec<_> = requests
        .iter()
        .map(|r| (r.method.as_str().to_string(), r.url.path().to_string()))
        .collect();
    assert_eq!(
        sent,
        [
            ("POST".to_string(), "/api/v1/profiles".to_string()),
            ("POST".to_string(), "/api/v1/messages".to_string()),
        ]
    );
    for request in &requests {
        assert_eq!(
            request
                .headers
                .get("Ocp-Apim-Subscription-Key")
                .map(|v| v.as_bytes()),
            Some(KEY.as_bytes())
        );
    }
    assert_eq!(
        requests[0].body_json::<serde_json::Value>().expect("JSON"),
        json!({"fiscal_code": ANNA})
    );
    assert_eq!(
        io.accepted(),
        [json!({
            "fiscal_code": ANNA,
            "feature_level_type": "STANDARD",
            "content": {"subject": "Mensa chiusa venerdì", "markdown": MARKDOWN},
        })]
    );
}

#[tokio::test]
async fn a_citizen_who_turned_the_service_off_is_not_written_to() {
    let (io, client) = io().await;
    io.citizen(ANNA, false);
    let profile = client
        .profile(&FiscalCode::parse(ANNA).expect("valid"))
        .await
        .expect("a profile");
    assert!(!profile.sender_allowed);
    assert_eq!(profile.preferred_languages, ["it_IT"]);
    let error = client
        .send(&message("Mensa chiusa venerdì"))
        .await
        .expect_err("not allowed");
    assert!(matches!(error, DeliveryError::SenderNotAllowed));
    assert_eq!(error.failure(), Failure::Permanent);
    assert!(io.accepted().is_empty());
    assert_eq!(
        io.requests().await.len(),
        2,
        "two profile questions, no message"
    );
}

#[tokio::test]
async fn a_citizen_without_io_is_a_permanent_failure() {
    let (io, client) = io().await;
    let error = client
        .send(&message("Mensa chiusa venerdì"))
        .await
        .expect_err("no profile");
    assert!(matches!(error, DeliveryError::NotOnIo), "{error:?}");
    assert!(error.is_permanent());
    assert_eq!(
        error.to_string(),
        "Il destinatario non usa l'app IO: la comunicazione va inviata con un altro canale."
    );
    assert_eq!(io.requests().await.len(), 1);
}

#[tokio::test]
async fn a_payment_letter_carries_the_notice_to_pay_from_the_app() {
    let (io, client) = io().await;
    io.citizen(ANNA, true);
    let notice = NoticeNumber::parse("301000000000000144").expect("valid");
    let mut letter = message("Sollecito di pagamento della mensa");
    letter.payment_data = Some(PaymentData {
        amount_cents: 4760,
        notice_number: notice,
        invalid_after_due_date: false,
        payee: EnteFiscalCode::parse("00123450165").expect("valid"),
    });
    letter.due_date = Some(datetime!(2026-12-21 23:59:59 +01:00));
    letter.time_to_live = Some(7_200);
    client.send(&letter).await.expect("delivered");
    let sent = &io.accepted()[0];
    assert_eq!(
        sent["content"]["payment_data"],
        json!({
            "amount": 4760,
            "notice_number": "301000000000000144",
            "invalid_after_due_date": false,
            "payee": {"fiscal_code": "00123450165"},
        })
    );
    assert_eq!(sent["content"]["due_date"], "2026-12-21T22:59:59.000Z");
    assert_eq!(sent["time_to_live"], 7_200);
}

#[tokio::test]
async fn what_io_would_refuse_is_refused_before_sending() {
    let (io, client) = io().await;
    io.citizen(ANNA, true);
    let short = client
        .send(&message("Sciopero"))
        .await
        .expect_err("subject too short");
    assert_eq!(
        short.to_string(),
        "Messaggio non inviato: L'oggetto di un messaggio App IO deve avere da 10 a 120 caratteri (ne ha 8)."
    );
    assert!(short.is_permanent());
    let mut brief = message("Mensa chiusa venerdì");
    brief.markdown = "Mensa chiusa.".into();
    let brief = client.send(&brief).await.expect_err("body too short");
    assert!(matches!(brief, DeliveryError::Invalid(_)));
    let mut free = message("Mensa chiusa venerdì");
    free.payment_data = Some(PaymentData {
        amount_cents: 0,
        notice_number: NoticeNumber::parse("301000000000000144").expect("valid"),
        invalid_after_due_date: false,
        payee: EnteFiscalCode::parse("00123450165").expect("valid"),
    });
    let free = client.send(&free).await.expect_err("nothing to pay");
    assert_eq!(
        free.to_string(),
        "Messaggio non inviato: l'importo da pagare con App IO deve essere tra 0,01 € e 99.999.999,99 €."
    );
    assert!(io.requests().await.is_empty(), "nothing reached IO");
}

#[tokio::test]
async fn a_busy_or_failing_io_means_retry_later() {
    let (io, client) = io().await;
    io.citizen(ANNA, true);
    io.refuse_next(IoRefusal::TooManyRequests { retry_after: 30 });
    io.refuse_next(IoRefusal::InternalError);
    io.refuse_next(IoRefusal::Unavailable { retry_after: 120 });
    let busy = client
        .send(&message("Mensa chiusa venerdì"))
        .await
        .expect_err("429");
    assert_eq!(
        busy.failure(),
        Failure::RetryLater {
            after: Some(Duration::from_secs(30))
        }
    );
    let failing = client
        .send(&message("Mensa chiusa venerdì"))
        .await
        .expect_err("500");
    assert_eq!(failing.failure(), Failure::RetryLater { after: None });
    assert_eq!(
        failing.to_string(),
        "App IO non è disponibile (HTTP 500): il messaggio sarà inviato di nuovo più tardi."
    );
    let maintenance = client
        .send(&message("Mensa chiusa venerdì"))
        .await
        .expect_err("503");
    assert_eq!(
        maintenance.failure(),
        Failure::RetryLater {
            after: Some(Duration::from_secs(120))
        }
    );
    client
        .send(&message("Mensa chiusa venerdì"))
        .await
        .expect("delivered on the fourth try");
    assert_eq!(io.accepted().len(), 1);
}

#[tokio::test]
async fn a_wrong_key_or_a_forbidden_recipient_is_permanent() {
    let io = AppIoStandIn::start(KEY).await;
    io.citizen(ANNA, true);
    let wrong = client(&io.base_url(), "another-key")
        .send(&message("Mensa chiusa venerdì"))
        .await
        .expect_err("401");
    assert!(
        matches!(wrong, DeliveryError::Unauthorized { status: 401, .. }),
        "{wrong:?}"
    );
    assert!(wrong.is_permanent());
    io.refuse_next(IoRefusal::RecipientForbidden);
    let forbidden = client(&io.base_url(), KEY)
        .send(&message("Mensa chiusa venerdì"))
        .await
        .expect_err("403");
    assert!(matches!(forbidden, DeliveryError::Unauthorized { .. }));
    let (status, detail) = forbidden.answer().expect("IO answered");
    assert_eq!(status, 403);
    assert!(detail.contains("Recipient forbidden"), "{detail}");
    assert!(forbidden.is_permanent());
}

#[tokio::test]
async fn an_invalid_payload_answer_is_permanent() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "title": "Invalid NewMessage",
            "status": 400,
            "detail": "value [\"x\"] at [root.content.subject] is not a valid [string of length >= 10 and < 121]",
        })))
        .mount(&server)
        .await;
    let error = client(&server.uri(), KEY)
        .submit(&message("Mensa chiusa venerdì"))
        .await
        .expect_err("400");
    assert!(matches!(error, DeliveryError::Rejected { .. }), "{error:?}");
    assert_eq!(
        error
            .answer()
            .map(|(status, detail)| (status, detail.contains("Invalid NewMessage"))),
        Some((400, true))
    );
    assert!(error.is_permanent());
}

#[tokio::test]
async fn the_stand_in_refuses_what_io_refuses() {
    let io = AppIoStandIn::start(KEY).await;
    let http = reqwest::Client::new();
    let post = |path: &str, body: serde_json::Value| {
        http.post(format!("{}{path}", io.base_url()))
            .header("Ocp-Apim-Subscription-Key", KEY)
            .json(&body)
            .send()
    };
    let short = post(
        "/messages",
        json!({"fiscal_code": ANNA, "content": {"subject": "Breve", "markdown": MARKDOWN}}),
    )
    .await
    .expect("an answer");
    assert_eq!(short.status(), 400);
    let problem: serde_json::Value = short.json().await.expect("ProblemJson");
    assert_eq!(problem["title"], "Invalid NewMessage");
    let no_payee = post(
        "/messages",
        json!({"fiscal_code": ANNA, "content": {"subject": "Mensa chiusa venerdì", "markdown": MARKDOWN,
               "payment_data": {"amount": 100, "notice_number": "301000000000000144"}}}),
    )
    .await
    .expect("an answer");
    assert_eq!(no_payee.status(), 400);
    let lower = post("/profiles", json!({"fiscal_code": ANNA.to_lowercase()}))
        .await
        .expect("an answer");
    assert_eq!(lower.status(), 400);
    let unknown = post("/profiles", json!({"fiscal_code": ANNA}))
        .await
        .expect("an answer");
    assert_eq!(unknown.status(), 404);
    let problem: serde_json::Value = unknown.json().await.expect("ProblemJson");
    assert_eq!(problem["title"], "Profile not found");
    assert!(io.accepted().is_empty());
}

#[tokio::test]
async fn an_unreachable_io_means_retry_later() {
    // A port nobody listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let base_url = format!("http://127.0.0.1:{port}/api/v1");
    let error = client(&base_url, KEY)
        .send(&message("Mensa chiusa venerdì"))
        .await
        .expect_err("nobody listening");
    assert!(
        matches!(error, DeliveryError::Unreachable { .. }),
        "{error:?}"
    );
    assert_eq!(error.failure(), Failure::RetryLater { after: None });
}
