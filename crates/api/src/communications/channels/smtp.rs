//! E-mail over SMTP with `lettre`: STARTTLS, implicit TLS or, to a server on this
//! machine only, plain; a pool of connections shared by the worker's concurrent sends.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::PoolConfig;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use super::{Channel, DeliveryError, Outgoing};
use crate::config::{SmtpConfig, SmtpSecurity};

/// Connections kept open to the SMTP server: one per message the worker sends at once.
const POOL_SIZE: u32 = crate::communications::worker::CONCURRENCY as u32;

pub struct SmtpChannel {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Address,
    from_name: Option<String>,
}

impl SmtpChannel {
    pub fn new(config: &SmtpConfig) -> Result<SmtpChannel, String> {
        let builder = match config.security {
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host),
            SmtpSecurity::Plain => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &config.host,
            )),
        }
        .map_err(|e| format!("SMTP_HOST: {e}"))?;
        let mut builder = builder
            .port(config.port)
            .timeout(Some(config.timeout))
            .pool_config(
                PoolConfig::new()
                    .max_size(POOL_SIZE)
                    .idle_timeout(Duration::from_secs(60)),
            );
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_string(),
            ));
        }
        Ok(SmtpChannel {
            transport: builder.build(),
            from: config
                .from
                .parse()
                .map_err(|_| format!("SMTP_FROM: indirizzo non valido «{}»", config.from))?,
            from_name: config.from_name.clone(),
        })
    }

    fn message(&self, outgoing: &Outgoing) -> Result<Message, DeliveryError> {
        let to: Mailbox = outgoing.recipient.parse().map_err(|_| {
            DeliveryError::permanent(format!(
                "Indirizzo e-mail non valido: «{}»",
                outgoing.recipient
            ))
        })?;
        let name = self
            .from_name
            .clone()
            .unwrap_or_else(|| outgoing.sender_name.clone());
        let builder = Message::builder()
            .from(Mailbox::new(Some(name), self.from.clone()))
            .to(to)
            .subject(&outgoing.subject);
        let text = SinglePart::plain(outgoing.body.clone());
        let built = match &outgoing.attachment {
            None => builder.singlepart(text),
            Some(file) => {
                let content_type = ContentType::parse(&file.content_type).unwrap_or(
                    ContentType::parse("application/octet-stream").map_err(|e| {
                        DeliveryError::permanent(format!("Tipo di allegato non valido: {e}"))
                    })?,
                );
                builder.multipart(
                    MultiPart::mixed().singlepart(text).singlepart(
                        lettre::message::Attachment::new(file.name.clone())
                            .body(file.bytes.clone(), content_type),
                    ),
                )
            }
        };
        built.map_err(|e| DeliveryError::permanent(format!("Messaggio non valido: {e}")))
    }
}

#[async_trait::async_trait]
impl Channel for SmtpChannel {
    async fn deliver(&self, outgoing: &Outgoing) -> Result<(), DeliveryError> {
        let message = self.message(outgoing)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(DeliveryError::permanent(format!(
                "Il server SMTP ha rifiutato il messaggio: {e}"
            ))),
            Err(e) if e.is_transient() => Err(DeliveryError::transient(format!(
                "Il server SMTP ha chiesto di riprovare più tardi: {e}"
            ))),
            Err(e) if e.is_timeout() => Err(DeliveryError::transient(format!(
                "Il server SMTP non ha risposto in tempo: {e}"
            ))),
            Err(e) if e.is_tls() => Err(DeliveryError::transient(format!(
                "Connessione protetta (TLS) con il server SMTP non riuscita: {e}"
            ))),
            Err(e) => Err(DeliveryError::transient(format!(
                "Server SMTP non raggiungibile: {e}"
            ))),
        }
    }
}
