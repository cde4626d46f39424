//! A real SMTP server for the tests, on localhost: `mailin-embedded` speaks the protocol
//! (EHLO, MAIL, RCPT, DATA) and keeps every message it accepts, which the test reads back
//! parsed with `mail-parser` (decoded headers and text).

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mailin_embedded::response::OK;
use mailin_embedded::{Handler, Response, Server, SslConfig};
use sea_orm::sea_query::{Alias, Query};
use sea_orm::ConnectionTrait;

/// A message the server accepted.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// The envelope's sender (`MAIL FROM`).
    pub from: String,
    /// The envelope's recipients (`RCPT TO`).
    pub to: Vec<String>,
    /// The whole message as sent (headers and MIME body).
    pub raw: Vec<u8>,
}

impl ReceivedMail {
    fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.raw)
            .expect("a MIME message")
    }

    /// The decoded `Subject`.
    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_string()
    }

    /// The decoded `From` header: name and address.
    pub fn from_header(&self) -> (String, String) {
        let parsed = self.parsed();
        let from = parsed
            .from()
            .and_then(|f| f.first())
            .expect("a From header");
        (
            from.name().unwrap_or_default().to_string(),
            from.address().unwrap_or_default().to_string(),
        )
    }

    /// The decoded plain text.
    pub fn text(&self) -> String {
        self.parsed()
            .body_text(0)
            .map(|t| t.to_string())
            .unwrap_or_default()
    }
}

#[derive(Clone)]
struct Mailbox {
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    current: Option<ReceivedMail>,
}

impl Handler for Mailbox {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(ReceivedMail {
            from: from.to_string(),
            to: to.to_vec(),
            raw: Vec::new(),
        });
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(mail) = self.current.as_mut() {
            mail.raw.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(mail) = self.current.take() {
            self.received.lock().expect("mailbox").push(mail);
        }
        OK
    }
}

/// The SMTP server of a test; it serves until the test process ends.
pub struct SmtpServer {
    pub port: u16,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
}

/// A port of localhost nobody listens on (yet): a dead SMTP server.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

impl SmtpServer {
    /// Starts a server on a free port.
    pub fn start() -> SmtpServer {
        Self::start_on(0)
    }

    /// Starts a server on `port` of localhost (0: any free one).
    pub fn start_on(port: u16) -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the SMTP port");
        let port = listener.local_addr().expect("its address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let mut server = Server::new(Mailbox {
            received: received.clone(),
            current: None,
        });
        server
            .with_name("smtp.test.localhost")
            .with_ssl(SslConfig::None)
            .expect("no TLS")
            .with_num_threads(64)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            if let Err(err) = server.serve() {
                eprintln!("the test SMTP server stopped: {err}");
            }
        });
        SmtpServer { port, received }
    }

    /// The server variables that make the portal send its e-mails here.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        smtp_env(self.port)
    }

    /// Every message received so far.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.received.lock().expect("mailbox").clone()
    }

    /// How many messages arrived so far.
    pub fn count(&self) -> usize {
        self.received.lock().expect("mailbox").len()
    }

    /// The messages to `to`, waiting up to `within` for at least `n` of them.
    pub async fn wait_for(&self, to: &str, n: usize, within: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + within;
        loop {
            let found: Vec<ReceivedMail> = self
                .received()
                .into_iter()
                .filter(|m| m.to.iter().any(|r| r == to))
                .collect();
            if found.len() >= n || Instant::now() >= deadline {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The server variables that make the portal send its e-mails to localhost:`port`, with
/// the outbox's worker looking for due messages every 100 ms.
pub fn smtp_env(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("SMTP_HOST", "127.0.0.1".into()),
        ("SMTP_PORT", port.to_string()),
        ("SMTP_SECURITY", "plain".into()),
        ("SMTP_FROM", "noreply@sportello.test".into()),
        ("SMTP_TIMEOUT_SECONDS", "2".into()),
        ("SPORTELLO_OUTBOX_POLL_MS", "100".into()),
    ]
}

/// Variables as `TestServer::start_with` takes them.
pub fn pairs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

impl crate::TestServer {
    /// Starts a server (demo data, fresh database) sending its e-mails to localhost:`port`,
    /// with the variables `extra` besides.
    pub async fn with_smtp(port: u16, extra: &[(&str, &str)]) -> crate::TestServer {
        let env = smtp_env(port);
        let mut all = pairs(&env);
        all.extend_from_slice(extra);
        crate::TestServer::start_with(&all).await
    }

    /// Queues `n` e-mails of Comune di Demo (to `famiglia0@example.it`, …), due now,
    /// straight into the outbox a thousand per statement, as a communication to many
    /// families would.
    pub async fn queue_emails(&self, n: usize) {
        let now = self.now().await;
        let ente: i64 = self
            .scalar("SELECT id FROM entes WHERE slug = 'demo'")
            .await;
        let db = self.database().await;
        for first in (0..n).step_by(1000) {
            let mut insert = Query::insert();
            insert.into_table(Alias::new("outbox_messages")).columns(
                [
                    "ente_id",
                    "channel",
                    "recipient",
                    "subject",
                    "body",
                    "status",
                    "attempts",
                    "next_attempt_at",
                    "created_at",
                ]
                .map(Alias::new),
            );
            for i in first..n.min(first + 1000) {
                insert.values_panic([
                    ente.into(),
                    "email".into(),
                    format!("famiglia{i}@example.it").into(),
                    format!("Avviso {i}").into(),
                    "Domani la mensa è chiusa per sciopero: i pasti prenotati non saranno addebitati.".into(),
                    "pending".into(),
                    0.into(),
                    now.into(),
                    now.into(),
                ]);
            }
            let statement = db.get_database_backend().build(&insert);
            db.execute(statement).await.expect("queue the e-mails");
        }
    }
}
