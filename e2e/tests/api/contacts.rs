//! Contatti e preferenze: a family changes its e-mail with the code the real SMTP server
//! delivered to the new address (the old one stays until then, and is told afterwards;
//! another account's e-mail is refused), and its mobile number with the code the SMS
//! gateway (Twilio's stand-in) delivered; five wrong codes void a request and an expired
//! code is refused; the channels chosen decide how letters go: SMS to confirmed numbers
//! only, App IO (its stand-in) for a family that chose it.

use std::time::Duration;

use e2e::contacts::{channels_file, code_in};
use e2e::smtp::SmtpServer;
use e2e::{field_error, json, TestServer, User, ANNA, GIULIA_OPERATOR, MARIO};
use reqwest::StatusCode;
use serde_json::json;
use sportello_model::contacts::{ContactKind, Contacts};
use sportello_model::letters::Channel;
use sportello_model::paths;
use sportello_notify::mock::{AppIoStandIn, TwilioStandIn};

use super::letters::{composition, send, titled};

const ANNA_EMAIL: &str = "anna.colombo@example.it";
const NEW_EMAIL: &str = "anna.colombo@posta.example.it";
const IO_KEY: &str = "chiave-io-di-prova";
const SERVICE_ID: &str = "01JD4ZQ7X9V3T2K8M5N6P1R0SW";
const TWILIO_ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TWILIO_KEY: &str = "SK0123456789abcdef0123456789abcdef";
const TWILIO_SECRET: &str = "segreto-sms-di-prova";

#[tokio::test]
async fn a_new_email_applies_once_the_code_sent_to_it_is_typed_and_the_old_one_is_told() {
    let smtp = SmtpServer::start();
    let server = TestServer::with_smtp(smtp.port, &[]).await;
    let anna = server.user("demo", ANNA).await;

    // Mario's address belongs to another account of the comune.
    let res = anna
        .post(
            &paths::my_contact_changes(),
            &json!({"kind": "email", "value": "Mario.Albertini@example.it"}),
        )
        .await;
    assert_eq!(
        field_error(res, "value").await,
        "Questo indirizzo e-mail è già usato da un altro account del comune: indicane un altro."
    );

    let pending = anna.ask_contact_change("email", NEW_EMAIL).await;
    assert_eq!(pending.kind, ContactKind::Email);
    let mails = smtp.wait_for(NEW_EMAIL, 1, Duration::from_secs(15)).await;
    assert_eq!(
        mails[0].subject(),
        "Codice di conferma del nuovo indirizzo e-mail"
    );
    let code = code_in(&mails[0].text());
    // Until confirmed, the old address stays.
    let before: Contacts = anna.get_ok(&paths::my_contacts()).await;
    assert_eq!(before.email.as_deref(), Some(ANNA_EMAIL));
    assert_eq!(before.pending.len(), 1);

    let res = anna
        .post(
            &paths::my_contact_confirmation(),
            &json!({"kind": "email", "code": code}),
        )
        .await;
    let after: Contacts = json(res, StatusCode::OK).await;
    assert_eq!(after.email.as_deref(), Some(NEW_EMAIL));
    assert!(after.pending.is_empty());
    let told = smtp.wait_for(ANNA_EMAIL, 1, Duration::from_secs(15)).await;
    assert_eq!(told[0].subject(), "Modifica del tuo indirizzo e-mail");
    assert!(told[0].text().contains(NEW_EMAIL), "{}", told[0].text());

    // The same code again confirms nothing more.
    let res = anna
        .post(
            &paths::my_contact_confirmation(),
            &json!({"kind": "email", "code": code}),
        )
        .await;
    assert_eq!(
        field_error(res, "code").await,
        "Non c'è una modifica del tuo indirizzo e-mail in attesa di conferma: chiedi un nuovo codice."
    );
}

#[tokio::test]
async fn a_new_mobile_number_is_confirmed_with_the_code_the_sms_gateway_delivered() {
    let twilio =
        TwilioStandIn::start(TWILIO_ACCOUNT, TWILIO_KEY, TWILIO_SECRET, "ComuneDemo").await;
    let file = channels_file(json!({"sms": {
        "provider": "twilio", "account_sid": TWILIO_ACCOUNT, "api_key": TWILIO_KEY,
        "api_secret": TWILIO_SECRET, "sender": "ComuneDemo", "base_url": twilio.base_url(),
    }}));
    let server = TestServer::start_with(&[
        (
            "SPORTELLO_CHANNELS_FILE",
            file.to_str().expect("a UTF-8 path"),
        ),
        ("SPORTELLO_OUTBOX_POLL_MS", "100"),
    ])
    .await;
    let anna = server.user("demo", ANNA).await;
    let res = anna
        .post(
            &paths::my_contact_changes(),
            &json!({"kind": "mobile", "value": "06 1234 5678"}),
        )
        .await;
    assert_eq!(
        field_error(res, "value").await,
        "Il numero non è un cellulare italiano: deve iniziare con 3 (ad esempio 333 123 4567)."
    );
    let pending = anna.ask_contact_change("mobile", "333 765 4321").await;
    assert_eq!(pending.value, "+39 333 765 4321");
    let queued = e2e::eventually(|| twilio.queued()).await;
    assert_eq!(queued.len(), 1, "the code went through the SMS gateway");
    assert_eq!(queued[0].to, "+393337654321");
    assert!(
        queued[0]
            .body
            .starts_with("Comune di Demo: il codice per confermare il tuo numero di cellulare è "),
        "{}",
        queued[0].body
    );
    let res = anna
        .post(
            &paths::my_contact_confirmation(),
            &json!({"kind": "mobile", "code": code_in(&queued[0].body)}),
        )
        .await;
    let contacts: Contacts = json(res, StatusCode::OK).await;
    assert_eq!(contacts.mobile.as_deref(), Some("+393337654321"));
    assert_eq!(contacts.mobile_display.as_deref(), Some("+39 333 765 4321"));
    std::fs::remove_file(file).ok();
}

/// Confirms the new mobile number with `code`.
async fn confirm(user: &User<'_>, code: &str) -> reqwest::Response {
    user.post(
        &paths::my_contact_confirmation(),
        &json!({"kind": "mobile", "code": code}),
    )
    .await
}

#[tokio::test]
async fn five_wrong_codes_void_the_request_and_an_expired_code_is_refused() {
    let server = TestServer::start().await;
    let anna = server.user("demo", ANNA).await;
    anna.ask_contact_change("mobile", "333 123 4567").await;
    let code = server.last_code_to("+393331234567").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mut messages = Vec::new();
    for _ in 0..5 {
        messages.push(field_error(confirm(&anna, wrong).await, "code").await);
    }
    assert_eq!(messages[0], "Codice errato: hai ancora 4 tentativi.");
    assert_eq!(messages[3], "Codice errato: hai ancora 1 tentativo.");
    assert_eq!(
        messages[4],
        "Codice errato. Hai esaurito i tentativi: chiedi un nuovo codice."
    );
    // Even the right code is refused now: a new request is needed.
    assert_eq!(
        field_error(confirm(&anna, &code).await, "code").await,
        "Hai inserito un codice errato troppe volte: chiedi un nuovo codice."
    );
    let contacts: Contacts = anna.get_ok(&paths::my_contacts()).await;
    assert_eq!(contacts.mobile, None);
    assert!(contacts.pending.is_empty());

    // A new request replaces the void one; its code expires after 15 minutes.
    anna.ask_contact_change("mobile", "333 123 4567").await;
    let fresh = server.last_code_to("+393331234567").await;
    server.advance_clock(Duration::from_secs(16 * 60)).await;
    // The access token expired meanwhile too.
    let anna = server.user("demo", ANNA).await;
    assert_eq!(
        field_error(confirm(&anna, &fresh).await, "code").await,
        "Il codice è scaduto: chiedi un nuovo codice."
    );
    anna.ask_contact_change("mobile", "333 123 4567").await;
    let last = server.last_code_to("+393331234567").await;
    let res = confirm(&anna, &last).await;
    let contacts: Contacts = json(res, StatusCode::OK).await;
    assert_eq!(contacts.mobile.as_deref(), Some("+393331234567"));
}

#[tokio::test]
async fn letters_go_on_the_channels_each_family_chose() {
    let io = AppIoStandIn::start(IO_KEY).await;
    io.citizen(ANNA, true);
    io.citizen(MARIO, true);
    let file = channels_file(json!({"app_io": {
        "service_id": SERVICE_ID, "api_key": IO_KEY, "base_url": io.base_url(),
    }}));
    let server = TestServer::start_with(&[
        (
            "SPORTELLO_CHANNELS_FILE",
            file.to_str().expect("a UTF-8 path"),
        ),
        ("SPORTELLO_OUTBOX_POLL_MS", "100"),
    ])
    .await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let anna = server.user("demo", ANNA).await;
    let mario = server.user("demo", MARIO).await;

    // The comune writes through App IO: on by default; SMS for every letter needs a
    // confirmed number first.
    let anna_contacts: Contacts = anna.get_ok(&paths::my_contacts()).await;
    assert!(anna_contacts.app_io_available);
    assert!(anna_contacts.channels.email && anna_contacts.channels.app_io);
    assert!(!anna_contacts.channels.sms);
    let res = anna
        .put(
            &paths::my_channels(),
            &json!({"email": false, "sms": true, "app_io": true}),
        )
        .await;
    assert_eq!(
        field_error(res, "sms").await,
        "Per ricevere le comunicazioni via SMS conferma prima il tuo numero di cellulare."
    );
    // Anna: App IO and SMS, no e-mail. Mario: e-mail only.
    anna.confirm_mobile("333 123 4567").await;
    let res = anna
        .put(
            &paths::my_channels(),
            &json!({"email": false, "sms": true, "app_io": true}),
        )
        .await;
    let chosen: Contacts = json(res, StatusCode::OK).await;
    assert!(chosen.channels.sms && !chosen.channels.email);
    let res = mario
        .put(
            &paths::my_channels(),
            &json!({"email": true, "sms": false, "app_io": false}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let sent = send(
        &giulia,
        &composition(
            "canali-1",
            "Menù invernale",
            json!({"kind": "families", "guardian_ids": [anna.user.id, mario.user.id]}),
        ),
    )
    .await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    let anna_letter = &titled(&anna, "Menù invernale").await[0];
    assert_eq!(anna_letter.channels, [Channel::Sms, Channel::AppIo]);
    assert_eq!(
        anna_letter.delivery_line,
        "Comunicazione avvenuta tramite SMS, App IO"
    );
    let mario_letter = &titled(&mario, "Menù invernale").await[0];
    assert_eq!(mario_letter.channels, [Channel::Email]);

    let accepted = e2e::eventually(|| io.accepted()).await;
    assert_eq!(accepted.len(), 1, "only Anna chose App IO");
    assert_eq!(accepted[0]["fiscal_code"], ANNA);
    assert_eq!(
        accepted[0]["content"]["subject"],
        "Comune di Demo: Menù invernale"
    );
    let markdown = accepted[0]["content"]["markdown"].as_str().expect("text");
    assert!(markdown.contains("**menù invernale**"), "{markdown}");
    let sms: i64 = server
        .scalar("SELECT COUNT(*) FROM outbox_messages WHERE channel = 'sms' AND recipient = '+393331234567' AND subject = 'Comune di Demo: Menù invernale'")
        .await;
    assert_eq!(sms, 1, "Anna chose SMS for every letter");
    std::fs::remove_file(file).ok();
}
