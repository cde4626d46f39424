//! Comunicazioni: the outbox delivers e-mails to a real SMTP server the test starts on
//! localhost (`e2e::smtp`, reading back what it received): the password-reset e-mail
//! arrives with its link; a dead SMTP server leads to retries with a growing wait, then a
//! dead message the operator sees with its error and sends again once the server is up,
//! nothing lost and nothing sent twice; two replicas on one database deliver each message
//! once; without SMTP, outside production, messages go to the development sink's page.

use std::collections::HashMap;
use std::time::Duration;

use e2e::smtp::{closed_port, pairs, smtp_env, SmtpServer};
use e2e::{client, json, problem, TestServer, CARLO_OPERATOR_ESEMPIO, GIULIA_OPERATOR, MARIO};
use reqwest::StatusCode;
use sportello_model::communications::{OutboxMessage, OutboxStatus};
use sportello_model::{paths, Page};

const MARIO_EMAIL: &str = "mario.albertini@example.it";

#[tokio::test]
async fn the_password_reset_email_arrives_with_its_link() {
    let smtp = SmtpServer::start();
    let server = TestServer::with_smtp(smtp.port, &[]).await;
    let asked = server.ask_password_reset(&client(), MARIO).await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);

    let mails = smtp.wait_for(MARIO_EMAIL, 1, Duration::from_secs(15)).await;
    assert_eq!(mails.len(), 1, "one e-mail for Mario");
    let mail = &mails[0];
    assert_eq!(mail.from, "noreply@sportello.test");
    assert_eq!(
        mail.from_header(),
        (
            "Comune di Demo".to_string(),
            "noreply@sportello.test".to_string()
        )
    );
    assert_eq!(mail.subject(), "Reimpostazione della password");
    let text = mail.text();
    assert!(text.contains("Gentile Mario Albertini"), "{text}");
    assert!(
        text.contains("Per scegliere una nuova password apri questo collegamento entro un'ora:"),
        "{text}"
    );
    let link = text
        .split_whitespace()
        .find(|word| word.starts_with(&server.url))
        .unwrap_or_else(|| panic!("a link to the portal in {text}"));
    assert!(link.contains("token="), "{link}");

    // The outbox says it went.
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let sent: Page<OutboxMessage> = giulia
        .get_ok(&format!("{}?status=sent", paths::outbox()))
        .await;
    let message = sent
        .items
        .iter()
        .find(|m| m.recipient == MARIO_EMAIL)
        .expect("the reset e-mail among the sent ones");
    assert_eq!(message.status, OutboxStatus::Sent);
    assert_eq!(message.attempts, 1);
    assert!(message.sent_at.is_some());
}

/// The operator's list of what did not go (failed and dead).
async fn failed(user: &e2e::User<'_>) -> Vec<OutboxMessage> {
    let page: Page<OutboxMessage> = user.get_ok(&paths::outbox()).await;
    page.items
}

/// Waits until Mario's message has made `attempts` attempts and the last one's result
/// is recorded (no next attempt, or one in the future), and returns it.
async fn after_attempts(user: &e2e::User<'_>, attempts: i32) -> OutboxMessage {
    for _ in 0..150 {
        let now = user.server.now().await;
        if let Some(message) = failed(user).await.into_iter().find(|m| {
            m.recipient == MARIO_EMAIL
                && m.attempts >= attempts
                && m.next_attempt_at.is_none_or(|next| next > now)
        }) {
            return message;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no attempt {attempts} of Mario's e-mail");
}

#[tokio::test]
async fn a_dead_smtp_server_means_retries_then_a_dead_message_the_operator_sends_again() {
    let port = closed_port();
    let server = TestServer::with_smtp(port, &[("SPORTELLO_OUTBOX_MAX_ATTEMPTS", "3")]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let asked = server.ask_password_reset(&client(), MARIO).await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);

    // First attempt: refused connection; the next one after a minute (and up to a
    // quarter more).
    let first = after_attempts(&giulia, 1).await;
    assert_eq!(first.status, OutboxStatus::Failed);
    assert_eq!(
        first.status_label,
        "Invio non riuscito, nuovo tentativo previsto"
    );
    let error = first.last_error.clone().unwrap_or_default();
    assert!(
        error.starts_with("Server SMTP non raggiungibile"),
        "{error}"
    );
    let now = server.now().await;
    let wait = first.next_attempt_at.expect("a next attempt") - now;
    assert!(
        wait > time::Duration::seconds(50) && wait <= time::Duration::seconds(75),
        "first wait {wait}"
    );

    // Second attempt after that minute; then the wait doubles.
    server.advance_clock(Duration::from_secs(76)).await;
    let second = after_attempts(&giulia, 2).await;
    assert_eq!(second.status, OutboxStatus::Failed);
    let now = server.now().await;
    let wait = second.next_attempt_at.expect("a next attempt") - now;
    assert!(
        wait > time::Duration::seconds(110) && wait <= time::Duration::seconds(150),
        "second wait {wait}"
    );

    // Third and last attempt: dead, no further attempt, visible with the error.
    server.advance_clock(Duration::from_secs(151)).await;
    let dead = after_attempts(&giulia, 3).await;
    assert_eq!(dead.status, OutboxStatus::Dead);
    assert_eq!(dead.status_label, "Non recapitato");
    assert_eq!(dead.next_attempt_at, None);
    let listed: Page<OutboxMessage> = giulia
        .get_ok(&format!("{}?status=dead", paths::outbox()))
        .await;
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].subject, "Reimpostazione della password");
    // Time passing changes nothing for a dead message.
    server.advance_clock(Duration::from_secs(24 * 3600)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // (A day later the operator logs in again.)
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    assert_eq!(after_attempts(&giulia, 3).await.attempts, 3);

    // A family cannot see the outbox; another comune's operator does not find it.
    let mario = server.user("demo", MARIO).await;
    problem(mario.get(&paths::outbox()).await, StatusCode::FORBIDDEN).await;
    let carlo = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    problem(
        carlo.post_empty(&paths::outbox_retry(dead.id)).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // The server comes up; the operator sends the message again and it arrives, once.
    let smtp = SmtpServer::start_on(port);
    let again: OutboxMessage = json(
        giulia.post_empty(&paths::outbox_retry(dead.id)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again.status, OutboxStatus::Pending);
    assert_eq!(again.attempts, 0);
    let mails = smtp.wait_for(MARIO_EMAIL, 1, Duration::from_secs(15)).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].subject(), "Reimpostazione della password");
    assert!(failed(&giulia).await.is_empty(), "nothing left undelivered");
    // A message that went cannot be sent again.
    problem(
        giulia.post_empty(&paths::outbox_retry(dead.id)).await,
        StatusCode::CONFLICT,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.count(), 1, "delivered once");
}

#[tokio::test]
async fn two_replicas_on_one_database_deliver_each_message_once() {
    let smtp = SmtpServer::start();
    let env = smtp_env(smtp.port);
    let first = TestServer::start_with(&pairs(&env)).await;
    let second = first.replica(&pairs(&env)).await;
    second.public(&paths::entes()).await;
    const N: usize = 300;
    first.queue_emails(N).await;

    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while smtp.count() < N && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Whatever a replica might still send twice would arrive now.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut per_recipient: HashMap<String, usize> = HashMap::new();
    for mail in smtp.received() {
        for to in mail.to {
            *per_recipient.entry(to).or_default() += 1;
        }
    }
    assert_eq!(per_recipient.len(), N, "every message delivered");
    let twice: Vec<_> = per_recipient.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    let sent: i64 = first
        .scalar("SELECT COUNT(*) FROM outbox_messages WHERE status = 'sent' AND attempts = 1")
        .await;
    assert_eq!(sent, N as i64, "each sent at its first attempt");
}

#[tokio::test]
async fn without_smtp_messages_go_to_the_development_sink_page() {
    let server = TestServer::start().await;
    let asked = server.ask_password_reset(&client(), MARIO).await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let mut page = String::new();
    for _ in 0..100 {
        let res = server.page("/dev/outbox").await;
        assert_eq!(res.status(), StatusCode::OK);
        page = res.text().await.expect("the page");
        if page.contains("Inviato") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(page.contains("Messaggi inviati in sviluppo"), "{page}");
    assert!(page.contains("Reimpostazione della password"), "{page}");
    assert!(page.contains(MARIO_EMAIL), "{page}");
    assert!(page.contains("Gentile Mario Albertini"), "{page}");
    assert!(page.contains("Inviato"), "{page}");
}
