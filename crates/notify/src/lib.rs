//! Sportello's outside message channels, free of any web framework: the [`io`] client of
//! App IO's Services API (PagoPA S.p.A.) and the [`sms`] client of an HTTP SMS gateway
//! (Twilio's Messages API), each comune's channel [`Settings`] that build them, and,
//! behind the `mock` feature, local stand-ins for both built from the providers'
//! published API descriptions.
//!
//! Both clients answer the outbox worker the same way: `send` gives [`Delivered`] or a
//! [`DeliveryError`] whose [`failure`](DeliveryError::failure) says whether sending the
//! same message again can succeed ([`Failure::RetryLater`], possibly after a time the
//! provider asked for) or never will ([`Failure::Permanent`]). A message a provider would
//! refuse is refused here, before anything is sent. Every error's `Display` is Italian,
//! for the operators' list of failed deliveries; the provider's own words stay in the
//! variant's `detail`, for the logs.

use std::fmt;
use std::time::Duration;

use reqwest::header::RETRY_AFTER;

pub mod io;
#[cfg(feature = "mock")]
pub mod mock;
mod settings;
pub mod sms;

pub use settings::{AppIoService, ComuneChannels, Settings, SettingsError};

/// A message a provider has taken in charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The provider's identifier of the message: App IO's message id, Twilio's message
    /// SID.
    pub provider_id: String,
}

/// Whether a failed delivery is worth trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Sending the same message again cannot succeed: the message, the recipient or the
    /// comune's settings must change first.
    Permanent,
    /// The provider is busy, failing or unreachable: try again later, not before `after`
    /// when the provider said when.
    RetryLater { after: Option<Duration> },
}

/// Which outside service an error comes from, named as the Italian sentences need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    AppIo,
    Sms,
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Service::AppIo => "App IO",
            Service::Sms => "Il gateway SMS",
        })
    }
}

/// Why a message was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The message breaks a rule of the channel and was not sent; the field says which,
    /// in Italian.
    #[error("Messaggio non inviato: {0}")]
    Invalid(String),
    /// The comune's settings for the channel are unusable; the field says what.
    #[error("Configurazione del canale non valida: {0}.")]
    Config(String),
    /// App IO: the citizen has no IO profile, or has turned its inbox off.
    #[error("Il destinatario non usa l'app IO: la comunicazione va inviata con un altro canale.")]
    NotOnIo,
    /// App IO: the citizen has turned off the messages of the comune's service.
    #[error(
        "Il destinatario ha disattivato nell'app IO i messaggi di questo servizio del comune."
    )]
    SenderNotAllowed,
    /// The provider refused the comune's credentials (HTTP 401, or 403 on IO).
    #[error("{service} non accetta le credenziali del comune (HTTP {status}): vanno controllate nella configurazione.")]
    Unauthorized {
        service: Service,
        status: u16,
        /// The provider's answer, for the logs.
        detail: String,
    },
    /// The SMS gateway refused the recipient's number (not a mobile, unreachable, or
    /// unsubscribed from the comune's sender); `code` is the gateway's error code.
    #[error("Il gateway SMS non può consegnare al numero del destinatario (errore {code}).")]
    RecipientRefused { code: i64, detail: String },
    /// The provider refused the message (HTTP 4xx); sending it again will not help.
    #[error("{service} ha rifiutato il messaggio (HTTP {status}).")]
    Rejected {
        service: Service,
        status: u16,
        detail: String,
    },
    /// The provider asks to slow down (HTTP 429).
    #[error(
        "{service} ha ricevuto troppe richieste: il messaggio sarà inviato di nuovo più tardi."
    )]
    TooManyRequests {
        service: Service,
        retry_after: Option<Duration>,
    },
    /// The provider failed (HTTP 5xx); a 503 may say when to come back (`Retry-After`).
    #[error("{service} non è disponibile (HTTP {status}): il messaggio sarà inviato di nuovo più tardi.")]
    Unavailable {
        service: Service,
        status: u16,
        retry_after: Option<Duration>,
        detail: String,
    },
    /// The provider could not be reached or did not answer in time. The request may have
    /// arrived: sending again is at least once, never at most once.
    #[error("{service} non è raggiungibile: il messaggio sarà inviato di nuovo più tardi.")]
    Unreachable {
        service: Service,
        #[source]
        source: reqwest::Error,
    },
}

impl DeliveryError {
    /// Whether sending again can succeed.
    pub fn failure(&self) -> Failure {
        match self {
            DeliveryError::TooManyRequests { retry_after, .. }
            | DeliveryError::Unavailable { retry_after, .. } => Failure::RetryLater {
                after: *retry_after,
            },
            DeliveryError::Unreachable { .. } => Failure::RetryLater { after: None },
            DeliveryError::Invalid(_)
            | DeliveryError::Config(_)
            | DeliveryError::NotOnIo
            | DeliveryError::SenderNotAllowed
            | DeliveryError::Unauthorized { .. }
            | DeliveryError::RecipientRefused { .. }
            | DeliveryError::Rejected { .. } => Failure::Permanent,
        }
    }

    /// The provider's HTTP status and answer (its error body, shortened), for the logs;
    /// `None` when the provider was not asked or did not answer.
    pub fn answer(&self) -> Option<(u16, &str)> {
        match self {
            DeliveryError::Unauthorized { status, detail, .. }
            | DeliveryError::Rejected { status, detail, .. }
            | DeliveryError::Unavailable { status, detail, .. } => Some((*status, detail)),
            DeliveryError::RecipientRefused { detail, .. } => Some((400, detail)),
            DeliveryError::NotOnIo => Some((404, "")),
            DeliveryError::TooManyRequests { .. } => Some((429, "")),
            DeliveryError::Invalid(_)
            | DeliveryError::Config(_)
            | DeliveryError::SenderNotAllowed
            | DeliveryError::Unreachable { .. } => None,
        }
    }

    /// Shorthand for `failure() == Failure::Permanent`.
    pub fn is_permanent(&self) -> bool {
        self.failure() == Failure::Permanent
    }
}

/// An HTTP client for one provider: refuses a base URL that is not http(s), and waits at
/// most `timeout` for an answer.
fn http_client(
    base_url: &str,
    timeout: Duration,
    what: &str,
) -> Result<(reqwest::Client, String), DeliveryError> {
    let url = reqwest::Url::parse(base_url.trim())
        .map_err(|_| DeliveryError::Config(format!("l'indirizzo di {what} non è un URL valido")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(DeliveryError::Config(format!(
            "l'indirizzo di {what} deve iniziare con https://"
        )));
    }
    let http = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| {
            DeliveryError::Config(format!("impossibile preparare il client HTTP ({e})"))
        })?;
    Ok((http, url.as_str().trim_end_matches('/').to_string()))
}

/// Longest part of a provider's answer kept for the logs, in characters.
const MAX_DETAIL: usize = 2000;

/// An unsuccessful answer of a provider.
struct Refusal {
    status: u16,
    /// `Retry-After`, when it is a number of seconds.
    retry_after: Option<Duration>,
    /// The body (shortened), for the logs.
    detail: String,
}

impl Refusal {
    async fn read(response: reqwest::Response) -> Refusal {
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse().ok())
            .map(Duration::from_secs);
        let detail = response
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(MAX_DETAIL)
            .collect();
        Refusal {
            status,
            retry_after,
            detail,
        }
    }

    /// What an answer means when nothing specific to the call applies: 401 the
    /// credentials, 429 and 503 retry after `Retry-After` (when given), other 5xx retry
    /// later, any other refusal permanent.
    fn into_error(self, service: Service) -> DeliveryError {
        let Refusal {
            status,
            retry_after,
            detail,
        } = self;
        match status {
            401 => DeliveryError::Unauthorized {
                service,
                status,
                detail,
            },
            429 => DeliveryError::TooManyRequests {
                service,
                retry_after,
            },
            500..=599 => DeliveryError::Unavailable {
                service,
                status,
                retry_after: retry_after.filter(|_| status == 503),
                detail,
            },
            _ => DeliveryError::Rejected {
                service,
                status,
                detail,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_failing_or_unreachable_providers_are_retried_the_rest_is_permanent() {
        let busy = DeliveryError::TooManyRequests {
            service: Service::AppIo,
            retry_after: Some(Duration::from_secs(30)),
        };
        assert_eq!(
            busy.failure(),
            Failure::RetryLater {
                after: Some(Duration::from_secs(30))
            }
        );
        assert_eq!(
            busy.to_string(),
            "App IO ha ricevuto troppe richieste: il messaggio sarà inviato di nuovo più tardi."
        );
        let refusal = |status, retry_after| Refusal {
            status,
            retry_after,
            detail: String::new(),
        };
        assert_eq!(
            refusal(429, None).into_error(Service::Sms).failure(),
            Failure::RetryLater { after: None }
        );
        for status in [500, 502] {
            let failing = refusal(status, Some(Duration::from_secs(5))).into_error(Service::Sms);
            assert_eq!(failing.failure(), Failure::RetryLater { after: None });
        }
        // A 503 says when to come back.
        assert_eq!(
            refusal(503, Some(Duration::from_secs(5)))
                .into_error(Service::AppIo)
                .failure(),
            Failure::RetryLater {
                after: Some(Duration::from_secs(5))
            }
        );
        assert_eq!(
            refusal(503, None).into_error(Service::AppIo).failure(),
            Failure::RetryLater { after: None }
        );
        let refused = refusal(400, None).into_error(Service::AppIo);
        assert!(refused.is_permanent());
        assert_eq!(
            refused.to_string(),
            "App IO ha rifiutato il messaggio (HTTP 400)."
        );
        let key = refusal(401, None).into_error(Service::Sms);
        assert!(key.is_permanent());
        assert_eq!(
            key.to_string(),
            "Il gateway SMS non accetta le credenziali del comune (HTTP 401): vanno controllate nella configurazione."
        );
        assert!(DeliveryError::NotOnIo.is_permanent());
        assert!(DeliveryError::SenderNotAllowed.is_permanent());
    }
}
