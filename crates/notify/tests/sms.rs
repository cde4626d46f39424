//! The SMS client against the stand-in built from Twilio's published OpenAPI: what the
//! client sends, and what each of Twilio's answers means for the outbox.

use std::time::Duration;

use sportello_model::sms::MobileNumber;
use sportello_notify::mock::{QueuedSms, TwilioRefusal, TwilioStandIn};
use sportello_notify::sms::{Client, Config, Sms};
use sportello_notify::{DeliveryError, Failure};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const KEY: &str = "SKfedcba9876543210fedcba9876543210";
const SECRET: &str = "twilio-key-secret-7c3e";
const SENDER: &str = "ComuneDemo";
const NOTICE: &str =
    "Comune di Demo: domani 4/12 la mensa è chiusa per sciopero. Il pasto non sarà addebitato.";

async fn twilio() -> TwilioStandIn {
    TwilioStandIn::start(ACCOUNT, KEY, SECRET, SENDER).await
}

fn client(base_url: &str, secret: &str) -> Client {
    Client::new(Config {
        base_url: base_url.to_string(),
        account_sid: ACCOUNT.into(),
        api_key: KEY.into(),
        api_secret: secret.into(),
        sender: SENDER.into(),
        timeout: Duration::from_secs(5),
    })
    .expect("valid configuration")
}

fn sms(to: &str, text: &str) -> Sms {
    Sms {
        to: MobileNumber::parse(to).expect("valid"),
        text: text.to_string(),
    }
}

#[tokio::test]
async fn an_sms_is_queued_with_the_comunes_sender() {
    let twilio = twilio().await;
    let delivered = client(&twilio.base_url(), SECRET)
        .send(&sms("333 123 4567", NOTICE))
        .await
        .expect("queued");
    assert_eq!(delivered.provider_id, format!("SM{:032x}", 1));
    assert_eq!(
        twilio.queued(),
        [QueuedSms {
            to: "+393331234567".into(),
            from: SENDER.into(),
            body: NOTICE.into(),
            segments: 1,
        }]
    );
    let request = &twilio.requests().await[0];
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(
        request.url.path(),
        format!("/2010-04-01/Accounts/{ACCOUNT}/Messages.json")
    );
}

#[tokio::test]
async fn a_long_notice_goes_as_one_message_of_several_parts() {
    let twilio = twilio().await;
    let text = format!("{NOTICE} {NOTICE}");
    client(&twilio.base_url(), SECRET)
        .send(&sms("+39 347 765 4321", &text))
        .await
        .expect("queued");
    assert_eq!(twilio.queued()[0].segments, 2);
}

#[tokio::test]
async fn a_number_twilio_cannot_reach_is_a_permanent_failure() {
    let twilio = twilio().await;
    twilio.refuse_number("+393331234567", 21614);
    twilio.refuse_number("+393471111111", 21610);
    let client = client(&twilio.base_url(), SECRET);
    for (number, code) in [("3331234567", 21614), ("3471111111", 21610)] {
        let error = client
            .send(&sms(number, NOTICE))
            .await
            .expect_err("refused");
        match &error {
            DeliveryError::RecipientRefused { code: got, detail } => {
                assert_eq!(*got, code);
                assert!(detail.contains("twilio.com/docs/errors"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
        assert!(error.is_permanent());
        assert_eq!(
            error.to_string(),
            format!(
                "Il gateway SMS non può consegnare al numero del destinatario (errore {code})."
            )
        );
    }
    assert!(twilio.queued().is_empty());
}

#[tokio::test]
async fn a_failing_or_busy_gateway_means_retry_later() {
    let twilio = twilio().await;
    twilio.refuse_next(TwilioRefusal::InternalError);
    twilio.refuse_next(TwilioRefusal::Unavailable);
    twilio.refuse_next(TwilioRefusal::TooManyRequests);
    let client = client(&twilio.base_url(), SECRET);
    for status in [500, 503] {
        let error = client
            .send(&sms("3331234567", NOTICE))
            .await
            .expect_err("5xx");
        assert!(
            matches!(error, DeliveryError::Unavailable { status: s, .. } if s == status),
            "{error:?}"
        );
        assert_eq!(error.failure(), Failure::RetryLater { after: None });
    }
    let busy = client
        .send(&sms("3331234567", NOTICE))
        .await
        .expect_err("429");
    assert!(matches!(busy, DeliveryError::TooManyRequests { .. }));
    assert!(!busy.is_permanent());
    client
        .send(&sms("3331234567", NOTICE))
        .await
        .expect("queued on the fourth try");
    assert_eq!(twilio.queued().len(), 1);
}

#[tokio::test]
async fn a_wrong_secret_is_permanent() {
    let twilio = twilio().await;
    let error = client(&twilio.base_url(), "not-the-secret")
        .send(&sms("3331234567", NOTICE))
        .await
        .expect_err("401");
    assert!(
        matches!(error, DeliveryError::Unauthorized { .. }),
        "{error:?}"
    );
    let (status, body) = error.answer().expect("Twilio answered");
    let body: serde_json::Value = serde_json::from_str(body).expect("Twilio's error");
    assert_eq!((status, &body["code"]), (401, &serde_json::json!(20003)));
    assert!(error.is_permanent());
}

#[tokio::test]
async fn a_text_longer_than_ten_sms_is_refused_before_sending() {
    let twilio = twilio().await;
    let error = client(&twilio.base_url(), SECRET)
        .send(&sms("3331234567", &"a".repeat(1531)))
        .await
        .expect_err("too long");
    assert_eq!(
        error.to_string(),
        "Messaggio non inviato: Il testo è troppo lungo per un SMS: occuperebbe 11 messaggi, al massimo 10. Accorcialo."
    );
    assert!(error.is_permanent());
    assert!(twilio.requests().await.is_empty());
}

#[tokio::test]
async fn the_stand_in_refuses_what_twilio_refuses() {
    let twilio = twilio().await;
    let http = reqwest::Client::new();
    let url = format!(
        "{}/2010-04-01/Accounts/{ACCOUNT}/Messages.json",
        twilio.base_url()
    );
    for (form, code) in [
        (
            vec![("To", "3331234567"), ("From", SENDER), ("Body", "Ciao")],
            21211,
        ),
        (
            vec![("To", "+393331234567"), ("From", "Altro"), ("Body", "Ciao")],
            21212,
        ),
        (vec![("To", "+393331234567"), ("From", SENDER)], 21602),
    ] {
        let answer = http
            .post(&url)
            .basic_auth(KEY, Some(SECRET))
            .form(&form)
            .send()
            .await
            .expect("an answer");
        assert_eq!(answer.status(), 400);
        let body: serde_json::Value = answer.json().await.expect("Twilio's error");
        assert_eq!(body["code"], code);
        assert_eq!(body["status"], 400);
    }
    assert!(twilio.queued().is_empty());
}
