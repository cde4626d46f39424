//! Avviso saldo basso: the guardian sets a threshold on the canteen account (Italian
//! field errors for a bad one); the meal charge that takes the balance below it writes
//! ONE letter with its e-mail (read back from a real SMTP server) saying how many meal
//! days the balance still covers, with a pagoPA notice of a suggested top-up due the day
//! the money runs out — also when two charging runs cross it at once; a further charge
//! below writes nothing; a recharge above re-arms it and the next crossing alerts again.
//! For a comune with App IO, the alert reaches the app (its stand-in) with the notice's
//! `payment_data`, so the family tops up from the app.
//! The clock is Tuesday 24/11/2026, 11:00 in Rome; Anna's son Luca eats at 4,20 €.

use std::time::Duration;

use e2e::contacts::channels_file;
use e2e::smtp::SmtpServer;
use e2e::{field_error, json, TestServer, User, ANNA, GIULIA_OPERATOR, MARIO};
use reqwest::StatusCode;
use serde_json::json;
use sportello_model::bookings::ChargeReport;
use sportello_model::letters::{Letter, LetterDetail, LetterKind};
use sportello_model::low_balance::LowBalanceAlert;
use sportello_model::{paths, Page};
use sportello_notify::mock::AppIoStandIn;

const ANNA_EMAIL: &str = "anna.colombo@example.it";
const TITLE: &str = "Saldo basso del conto Refezione Scolastica";

async fn server(smtp: &SmtpServer) -> TestServer {
    TestServer::with_smtp(
        smtp.port,
        &[
            ("SPORTELLO_FAKE_NOW", "2026-11-24T10:00:00Z"),
            ("SPORTELLO_CHARGE_JOB", "false"),
        ],
    )
    .await
}

async fn set_threshold(family: &User<'_>, service: i64, threshold: &str) -> reqwest::Response {
    family
        .put(
            &paths::low_balance_alert(service),
            &json!({ "threshold": threshold }),
        )
        .await
}

async fn charge(office: &User<'_>, service: i64, day: &str) -> ChargeReport {
    let body = json!({ "service_id": service, "day": day });
    json(office.post(&paths::charges(), &body).await, StatusCode::OK).await
}

async fn alerts(family: &User<'_>) -> Vec<Letter> {
    family
        .get_ok::<Page<Letter>>(&paths::my_letters())
        .await
        .items
        .into_iter()
        .filter(|l| l.kind == LetterKind::LowBalance)
        .collect()
}

#[tokio::test]
async fn the_threshold_is_checked_by_the_model_rule_and_zero_turns_it_off() {
    let smtp = SmtpServer::start();
    let server = server(&smtp).await;
    let (anna, service) = server.canteen_family(ANNA).await;
    let off: LowBalanceAlert = anna.get_ok(&paths::low_balance_alert(service)).await;
    assert_eq!((off.threshold, off.alerted), (None, false));
    assert_eq!(off.balance.to_string(), "-23.40");
    assert!(!off.upcoming.is_empty(), "the school days ahead");

    for (typed, message) in [
        (
            "dieci",
            "Scrivi l'importo in cifre, con la virgola per i decimali (ad esempio 54,00 o 1.234,50).",
        ),
        ("-5", "La soglia non può essere negativa."),
        ("1.000,01", "La soglia non può superare 1.000,00 €."),
        ("10,505", "L'importo può avere al massimo due decimali."),
    ] {
        let res = set_threshold(&anna, service, typed).await;
        assert_eq!(field_error(res, "threshold").await, message, "{typed}");
    }
    let long = set_threshold(&anna, service, &"1".repeat(40)).await;
    assert_eq!(long.status(), StatusCode::BAD_REQUEST);

    let set: LowBalanceAlert =
        json(set_threshold(&anna, service, "10,00").await, StatusCode::OK).await;
    assert_eq!(
        set.threshold.map(|t| t.to_string()).as_deref(),
        Some("10.00")
    );
    // Already below: no alert until the balance has risen to it.
    assert!(set.alerted);
    let off: LowBalanceAlert = json(set_threshold(&anna, service, "0").await, StatusCode::OK).await;
    assert_eq!((off.threshold, off.alerted), (None, false));

    // Money is the guardian's: an operator gets 403; a service that is not the comune's
    // prepaid one is 404 (the account is always the caller's own).
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let refused = set_threshold(&giulia, service, "10").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let mario = server.user("demo", MARIO).await;
    let unknown = set_threshold(&mario, 999_999, "10").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn one_alert_per_crossing_with_the_days_covered_and_a_notice() {
    let smtp = SmtpServer::start();
    let server = server(&smtp).await;
    let (anna, service) = server.canteen_family(ANNA).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    // Last year's 23,40 € paid and 16,60 € to spare.
    server.recharge_at_counter(&anna, service, "40").await;
    assert_eq!(anna.balance(service).await, "16.60");
    json::<LowBalanceAlert>(set_threshold(&anna, service, "10").await, StatusCode::OK).await;

    // 12,40 €: still above.
    charge(&giulia, service, "2026-11-17").await;
    assert!(alerts(&anna).await.is_empty());

    // 8,20 €: below, crossed by two charging runs at once: one alert.
    let (a, b) = tokio::join!(
        charge(&giulia, service, "2026-11-18"),
        charge(&giulia, service, "2026-11-18")
    );
    assert_eq!(a.charged + b.charged, 1, "{a:?} {b:?}");
    assert_eq!(anna.balance(service).await, "8.20");
    let sent = alerts(&anna).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].title, TITLE);
    assert_eq!(sent[0].kind_label, "Avviso saldo basso");
    let detail: LetterDetail = anna.get_ok(&paths::my_letter(sent[0].id)).await;
    let body = &detail.body_html;
    assert!(
        body.contains("Il saldo copre ancora 1 giorno di mensa (fino al 24/11/2026)."),
        "{body}"
    );
    assert!(body.contains("<strong>8,20 €</strong>"), "{body}");
    assert!(body.contains("<strong>80,00 €</strong>"), "{body}");
    assert!(body.contains("entro il 25/11/2026"), "{body}");

    // The notice: 20 meal days (84,00 €) less the balance, rounded up to 5 €, due the
    // day the money runs out; the card shows it.
    let card: LowBalanceAlert = anna.get_ok(&paths::low_balance_alert(service)).await;
    assert!(card.alerted);
    assert_eq!(
        card.coverage().line(),
        "Il saldo copre ancora 1 giorno di mensa (fino al 24/11/2026)."
    );
    let notice = card.notice.expect("the alert's notice");
    assert_eq!(notice.amount.to_string(), "80.00");
    assert_eq!(notice.due_date, Some(time::macros::date!(2026 - 11 - 25)));
    assert!(body.contains(&notice.notice_number), "{body}");

    let mails = smtp.wait_for(ANNA_EMAIL, 1, Duration::from_secs(15)).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].subject(), format!("Comune di Demo: {TITLE}"));
    let text = mails[0].text();
    assert!(
        text.contains("Il saldo copre ancora 1 giorno di mensa (fino al 24/11/2026)."),
        "{text}"
    );
    assert!(text.contains(&notice.notice_number), "{text}");

    // 4,00 €: still below, no new alert.
    charge(&giulia, service, "2026-11-19").await;
    assert_eq!(anna.balance(service).await, "4.00");
    assert_eq!(alerts(&anna).await.len(), 1);

    // 14,00 €: above again, re-armed; 9,80 €: the next crossing alerts again.
    server.recharge_at_counter(&anna, service, "10").await;
    let card: LowBalanceAlert = anna.get_ok(&paths::low_balance_alert(service)).await;
    assert!(!card.alerted);
    charge(&giulia, service, "2026-11-20").await;
    assert_eq!(anna.balance(service).await, "9.80");
    let sent = alerts(&anna).await;
    assert_eq!(sent.len(), 2);
    let detail: LetterDetail = anna.get_ok(&paths::my_letter(sent[0].id)).await;
    assert!(
        detail
            .body_html
            .contains("Il saldo copre ancora 2 giorni di mensa (fino al 25/11/2026)."),
        "{}",
        detail.body_html
    );
    assert!(detail.body_html.contains("<strong>75,00 €</strong>"));
    let mails = smtp.wait_for(ANNA_EMAIL, 2, Duration::from_secs(15)).await;
    assert_eq!(mails.len(), 2);
    let letters: i64 = server
        .scalar("SELECT COUNT(*) FROM letters WHERE kind = 'low_balance'")
        .await;
    assert_eq!(letters, 2);
}

#[tokio::test]
async fn the_alert_reaches_app_io_with_its_notice_to_pay_from_the_app() {
    const IO_KEY: &str = "chiave-io-di-prova";
    let io = AppIoStandIn::start(IO_KEY).await;
    io.citizen(ANNA, true);
    let file = channels_file(json!({"app_io": {
        "service_id": "01JD4ZQ7X9V3T2K8M5N6P1R0SW", "api_key": IO_KEY, "base_url": io.base_url(),
    }}));
    let server = TestServer::start_with(&[
        ("SPORTELLO_FAKE_NOW", "2026-11-24T10:00:00Z"),
        ("SPORTELLO_CHARGE_JOB", "false"),
        ("SPORTELLO_OUTBOX_POLL_MS", "100"),
        (
            "SPORTELLO_CHANNELS_FILE",
            file.to_str().expect("a UTF-8 path"),
        ),
    ])
    .await;
    let (anna, service) = server.canteen_family(ANNA).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    server.recharge_at_counter(&anna, service, "40").await;
    json::<LowBalanceAlert>(set_threshold(&anna, service, "10").await, StatusCode::OK).await;
    charge(&giulia, service, "2026-11-17").await;
    charge(&giulia, service, "2026-11-18").await;
    assert_eq!(anna.balance(service).await, "8.20");
    let card: LowBalanceAlert = anna.get_ok(&paths::low_balance_alert(service)).await;
    let notice = card.notice.expect("the alert's notice");

    let accepted = e2e::eventually(|| io.accepted()).await;
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    let message = &accepted[0];
    assert_eq!(message["fiscal_code"], ANNA);
    assert_eq!(
        message["content"]["subject"],
        format!("Comune di Demo: {TITLE}")
    );
    let payment = &message["content"]["payment_data"];
    assert_eq!(payment["notice_number"], notice.notice_number.as_str());
    assert_eq!(payment["amount"], 8000, "80,00 € in cents");
    assert_eq!(payment["payee"]["fiscal_code"], "80012340156");
    let sent = alerts(&anna).await;
    assert_eq!(
        sent[0].delivery_line,
        "Comunicazione avvenuta tramite E-mail, App IO"
    );
    std::fs::remove_file(file).ok();
}
