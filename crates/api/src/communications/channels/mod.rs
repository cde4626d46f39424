//! The delivery channels: each is one [`Channel`] the outbox's worker hands a message to.
//! E-mail goes over SMTP ([`smtp`]), App IO messages and SMS through the comune's own
//! service and account ([`app_io`], [`sms`]); outside production every channel without a real
//! service configured goes to the development sink ([`sink`]), which only logs.

pub mod app_io;
pub mod sink;
pub mod sms;
pub mod smtp;

use std::collections::HashMap;
use std::sync::Arc;

use sportello_model::communications::Channel as Kind;
use sportello_notify::Failure;

/// A file sent with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A message as a channel delivers it.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The outbox row, for logs.
    pub id: i64,
    /// The comune it comes from, as the sender's name.
    pub sender_name: String,
    /// The comune's slug: its App IO service and SMS account are the ones of this comune.
    pub comune: String,
    pub kind: Kind,
    /// E-mail address, mobile number or codice fiscale.
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attachment: Option<Attachment>,
    /// App IO's `payment_data`.
    pub payment_data: Option<serde_json::Value>,
}

/// Why a delivery failed, as the channel's service said it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryError {
    pub message: String,
    /// Trying again cannot help (an address the server refuses for good): the message is
    /// given up at once.
    pub permanent: bool,
    /// How long the service asked to wait before trying again (`Retry-After`).
    pub retry_after: Option<std::time::Duration>,
}

impl DeliveryError {
    /// A refusal of App IO or of the SMS gateway, kept as permanent or retried as they
    /// said, after the wait they asked for.
    pub fn from_provider(error: &sportello_notify::DeliveryError) -> DeliveryError {
        let (permanent, retry_after) = match error.failure() {
            Failure::Permanent => (true, None),
            Failure::RetryLater { after } => (false, after),
        };
        DeliveryError {
            message: error.to_string(),
            permanent,
            retry_after,
        }
    }

    pub fn transient(message: impl Into<String>) -> DeliveryError {
        DeliveryError {
            message: message.into(),
            permanent: false,
            retry_after: None,
        }
    }

    pub fn permanent(message: impl Into<String>) -> DeliveryError {
        DeliveryError {
            message: message.into(),
            permanent: true,
            retry_after: None,
        }
    }
}

/// One way of reaching families: e-mail, SMS, App IO.
#[async_trait::async_trait]
pub trait Channel: Send + Sync {
    /// Hands `message` to the channel's service; `Ok` once the service accepted it.
    async fn deliver(&self, message: &Outgoing) -> Result<(), DeliveryError>;
}

/// The channels this server delivers through; messages of a channel it lacks wait in
/// the outbox (another replica, or this one once configured, sends them).
#[derive(Clone, Default)]
pub struct Channels {
    by_kind: HashMap<Kind, Arc<dyn Channel>>,
}

impl Channels {
    /// These channels with `channel` delivering the messages of `kind`.
    pub fn with(mut self, kind: Kind, channel: Arc<dyn Channel>) -> Channels {
        self.by_kind.insert(kind, channel);
        self
    }

    pub fn get(&self, kind: Kind) -> Option<&Arc<dyn Channel>> {
        self.by_kind.get(&kind)
    }

    /// The kinds delivered, in a fixed order.
    pub fn kinds(&self) -> Vec<Kind> {
        Kind::ALL
            .into_iter()
            .filter(|kind| self.by_kind.contains_key(kind))
            .collect()
    }
}

/// The channels the configuration gives: outside production the development sink for
/// every channel, then the real services configured (SMTP for e-mail, App IO and SMS
/// when the channels file gives them to any comune) in their place.
pub fn configured(config: &crate::config::Config) -> Result<Channels, String> {
    let mut channels = Channels::default();
    if config.outbox.dev_sink {
        for kind in Kind::ALL {
            channels = channels.with(kind, Arc::new(sink::DevSink));
        }
    }
    if let Some(smtp) = &config.smtp {
        channels = channels.with(Kind::Email, Arc::new(smtp::SmtpChannel::new(smtp)?));
    }
    let settings = Arc::new(config.channel_settings.clone());
    if settings.any_app_io() {
        channels = channels.with(
            Kind::AppIo,
            Arc::new(app_io::AppIoChannel(settings.clone())),
        );
    }
    if settings.any_sms() {
        channels = channels.with(Kind::Sms, Arc::new(sms::SmsChannel(settings)));
    }
    Ok(channels)
}
