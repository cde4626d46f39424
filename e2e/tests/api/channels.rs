//! Each comune's App IO service and SMS gateway account, from the channels file: read
//! and checked when the server starts (a mistake stops it, naming the comune and the
//! channel), and never a key or a secret in what the server prints or logs.

use std::path::PathBuf;
use std::time::Duration;

use e2e::{server_command, TestServer};
use sea_orm::sea_query::{Alias, Query};
use sea_orm::ConnectionTrait;
use sportello_model::paths;
use sportello_notify::mock::AppIoStandIn;

const IO_KEY: &str = "chiave-io-da-non-stampare";
const SMS_SECRET: &str = "segreto-sms-da-non-stampare";
const SERVICE_ID: &str = "01JD4ZQ7X9V3T2K8M5N6P1R0SW";

/// A channels file for the demo comune in the temporary folder, with `sender` as its SMS
/// sender.
fn channels_file(sender: &str) -> PathBuf {
    e2e::contacts::channels_file(serde_json::json!({
        "app_io": {"service_id": SERVICE_ID, "api_key": IO_KEY},
        "sms": {"provider": "twilio",
                "account_sid": "AC0123456789abcdef0123456789abcdef",
                "api_key": "SK0123456789abcdef0123456789abcdef",
                "api_secret": SMS_SECRET, "sender": sender},
    }))
}

fn assert_no_secret(text: &str) {
    assert!(!text.contains(IO_KEY), "{text}");
    assert!(!text.contains(SMS_SECRET), "{text}");
}

#[tokio::test]
async fn the_server_starts_with_each_comunes_channels_and_logs_no_secret() {
    let file = channels_file("ComuneDemo");
    let log = std::env::temp_dir().join(format!("sportello-log-{}.txt", uuid::Uuid::new_v4()));
    let server = TestServer::start_logging(
        &[
            (
                "SPORTELLO_CHANNELS_FILE",
                file.to_str().expect("a UTF-8 path"),
            ),
            ("RUST_LOG", "info"),
            ("SPORTELLO_LOG_FORMAT", "text"),
        ],
        std::fs::File::create(&log).expect("a log file"),
    )
    .await;
    let ready = server.public(&paths::health_ready()).await;
    assert!(ready.status().is_success(), "{}", ready.status());
    let mut logged = String::new();
    for _ in 0..50 {
        logged = std::fs::read_to_string(&log).unwrap_or_default();
        if logged.contains("App IO and SMS channels") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        logged.contains(&format!("demo: App IO (servizio {SERVICE_ID}), SMS")),
        "{logged}"
    );
    assert_no_secret(&logged);
    std::fs::remove_file(file).ok();
    std::fs::remove_file(log).ok();
}

#[tokio::test]
async fn a_wrong_channel_setting_stops_the_server_naming_it_without_secrets() {
    // A database for `check`; the server itself is not needed.
    let server = TestServer::start().await;
    let run = |file: PathBuf, command: &'static str| {
        let url = server.database_url.clone();
        tokio::task::spawn_blocking(move || {
            server_command(&url)
                .env("SPORTELLO_CHANNELS_FILE", file)
                .arg(command)
                .output()
                .expect("run the server")
        })
    };
    let good = channels_file("ComuneDemo");
    let output = run(good.clone(), "check").await.expect("ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!(
            "OK   canali App IO e SMS: demo: App IO (servizio {SERVICE_ID}), SMS"
        )),
        "{stdout}"
    );
    assert_no_secret(&stdout);

    let bad = channels_file("Comune di Demo");
    for command in ["check", "serve"] {
        let output = run(bad.clone(), command).await.expect("ran");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(78), "{command}: {stderr}");
        assert!(
            stderr.contains(
                "Configurazione non valida: SPORTELLO_CHANNELS_FILE: comune «demo», SMS: \
                 Configurazione del canale non valida: il mittente degli SMS deve essere un \
                 nome di al massimo 11 lettere e cifre o un numero con prefisso internazionale."
            ),
            "{stderr}"
        );
        assert_no_secret(&stderr);
        assert_no_secret(&String::from_utf8_lossy(&output.stdout));
    }
    let missing = std::env::temp_dir().join("sportello-channels-inesistente.json");
    let output = run(missing, "check").await.expect("ran");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(78), "{stderr}");
    assert!(
        stderr.contains("SPORTELLO_CHANNELS_FILE: impossibile leggere"),
        "{stderr}"
    );
    std::fs::remove_file(good).ok();
    std::fs::remove_file(bad).ok();
}

/// Anna Colombo, a citizen on IO who lets the comune's service write to her.
const ANNA: &str = "CLMNNA85M41F205G";
/// Luca Ferri, who has no IO profile.
const LUCA: &str = "FRRLCU80A01F205N";
const REMINDER: &str = "Gentile famiglia,\n\nil saldo della mensa è **negativo**. Può pagare \
                        l'avviso qui sotto direttamente dall'app IO, con pagoPA.";

/// Queues an App IO message of Comune di Demo to `fiscal_code`, as the outbox keeps it.
async fn queue_app_io(server: &TestServer, fiscal_code: &str, payment_data: &serde_json::Value) {
    let ente: i64 = server
        .scalar("SELECT id FROM entes WHERE slug = 'demo'")
        .await;
    let now = server.now().await;
    let db = server.database().await;
    let insert = Query::insert()
        .into_table(Alias::new("outbox_messages"))
        .columns(
            [
                "ente_id",
                "channel",
                "recipient",
                "subject",
                "body",
                "payment_data",
                "status",
                "attempts",
                "created_at",
                "next_attempt_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            ente.into(),
            "app_io".into(),
            fiscal_code.into(),
            "Sollecito di pagamento della mensa".into(),
            REMINDER.into(),
            payment_data.to_string().into(),
            "pending".into(),
            0.into(),
            now.into(),
            now.into(),
        ])
        .to_owned();
    db.execute(db.get_database_backend().build(&insert))
        .await
        .expect("queued");
}

/// The status and last error of the outbox's message to `fiscal_code`, once the worker
/// has dealt with it.
async fn outcome(server: &TestServer, fiscal_code: &str) -> (String, Option<String>) {
    let sql =
        format!("SELECT status, last_error FROM outbox_messages WHERE recipient = '{fiscal_code}'");
    for _ in 0..100 {
        let row = &server.query(&sql).await[0];
        let status: String = row.try_get_by_index(0).expect("a status");
        if status != "pending" {
            return (status, row.try_get_by_index(1).expect("an error or none"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the message to {fiscal_code} is still pending");
}

#[tokio::test]
async fn the_outbox_delivers_app_io_letters_with_their_notice_through_the_comunes_service() {
    let io = AppIoStandIn::start(IO_KEY).await;
    io.citizen(ANNA, true);
    let file = e2e::contacts::channels_file(serde_json::json!({"app_io": {
        "service_id": SERVICE_ID, "api_key": IO_KEY, "base_url": io.base_url(),
    }}));
    let server = TestServer::start_with(&[(
        "SPORTELLO_CHANNELS_FILE",
        file.to_str().expect("a UTF-8 path"),
    )])
    .await;
    let payment = serde_json::json!({
        "amount": 4760,
        "notice_number": "301000000000000144",
        "invalid_after_due_date": false,
        "payee": {"fiscal_code": "80012340156"},
    });
    queue_app_io(&server, ANNA, &payment).await;
    queue_app_io(&server, LUCA, &payment).await;

    assert_eq!(outcome(&server, ANNA).await, ("sent".into(), None));
    let sent = io.accepted();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["fiscal_code"], ANNA);
    assert_eq!(
        sent[0]["content"]["subject"],
        "Sollecito di pagamento della mensa"
    );
    assert_eq!(sent[0]["content"]["markdown"], REMINDER);
    assert_eq!(sent[0]["content"]["payment_data"], payment);

    // Not on IO: given up at once, with the reason the operator reads.
    assert_eq!(
        outcome(&server, LUCA).await,
        (
            "dead".into(),
            Some("Il destinatario non usa l'app IO: la comunicazione va inviata con un altro canale.".into())
        )
    );
    std::fs::remove_file(file).ok();
}
