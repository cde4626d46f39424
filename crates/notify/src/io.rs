//! Real App IO: a client of the IO Services API of PagoPA S.p.A., through which a comune's
//! service writes to a citizen's IO app by codice fiscale.
//!
//! Followed: the OpenAPI "IO API for Public Administration Services"
//! (`apps/io-functions-services/openapi/index.yaml` in pagopa/io-functions-services,
//! served at `https://api.io.pagopa.it/api/v1`) and the IO technical guide:
//!
//! * authentication: the service's API key in `Ocp-Apim-Subscription-Key` (the key names
//!   the service: a comune has one key per IO service);
//! * `POST /profiles` (getProfileByPOST) with `{"fiscal_code"}`: `200` with a
//!   `LimitedProfile` whose `sender_allowed` says whether the service may write to the
//!   citizen; `404` (ProblemJson "Profile not found") when the citizen has no IO profile
//!   or its inbox is off; `401`, `403`, `429`;
//! * `POST /messages` (submitMessageforUserWithFiscalCodeInBody) with a `NewMessage`:
//!   `fiscal_code`, `time_to_live` (deprecated, 3600–604800 s), `feature_level_type`
//!   (`STANDARD`, `ADVANCED`) and `content`: `subject` (10–120 characters), `markdown`
//!   (80–10000), `due_date` (UTC ISO 8601) and `payment_data` (`amount` in cents,
//!   1–9999999999, `notice_number` `^[0123][0-9]{17}$`, `invalid_after_due_date`,
//!   `payee.fiscal_code` of the ente, required on new messages); `201` with the
//!   message's `id` (and its `Location`), `400` ProblemJson ("Invalid NewMessage"),
//!   `401`, `403` ("Recipient forbidden", "Production call forbidden"), `429`, `500`
//!   ("The message cannot be delivered").
//!
//! Lengths are counted as IO counts them ([`sportello_model::app_io`]).

use std::time::Duration;

use reqwest::header::{HeaderValue, ACCEPT, LOCATION};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;
use sportello_model::{app_io, format, FiscalCode};
use sportello_pagopa::{EnteFiscalCode, NoticeNumber, SUBSCRIPTION_KEY_HEADER};
use time::{OffsetDateTime, UtcOffset};

use crate::{http_client, Delivered, DeliveryError, Refusal, Service};

/// IO's production address.
pub const BASE_URL: &str = "https://api.io.pagopa.it/api/v1";

/// `time_to_live` IO accepts, in seconds.
pub const TIME_TO_LIVE: std::ops::RangeInclusive<u32> = 3_600..=604_800;

/// Largest payment IO takes, in cents.
pub const MAX_AMOUNT_CENTS: i64 = 9_999_999_999;

/// How to reach App IO as one of the comune's services.
#[derive(Debug, Clone)]
pub struct Config {
    /// The API's base URL, up to and including the version: [`BASE_URL`].
    pub base_url: String,
    /// The service's primary or secondary API key.
    pub subscription_key: SecretString,
    /// How long one request may take before IO counts as unreachable.
    pub timeout: Duration,
}

/// The kind of message: `ADVANCED` enables IO's premium features (read receipts), and
/// is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FeatureLevel {
    #[default]
    Standard,
    Advanced,
}

impl FeatureLevel {
    fn as_str(self) -> &'static str {
        match self {
            FeatureLevel::Standard => "STANDARD",
            FeatureLevel::Advanced => "ADVANCED",
        }
    }
}

/// The pagoPA notice a message asks the citizen to pay, from the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentData {
    /// Euro cents.
    pub amount_cents: i64,
    pub notice_number: NoticeNumber,
    /// Whether the notice can no longer be paid after the message's due date.
    pub invalid_after_due_date: bool,
    /// The ente creditore.
    pub payee: EnteFiscalCode,
}

/// `PaymentData` as IO's JSON has it, before its codes are checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentDataJson {
    amount: i64,
    notice_number: String,
    #[serde(default)]
    invalid_after_due_date: bool,
    payee: PayeeJson,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PayeeJson {
    fiscal_code: String,
}

impl PaymentData {
    /// IO's `payment_data` JSON, as the outbox keeps it beside a message.
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "amount": self.amount_cents,
            "notice_number": self.notice_number.as_str(),
            "invalid_after_due_date": self.invalid_after_due_date,
            "payee": {"fiscal_code": self.payee.as_str()},
        })
    }

    /// Reads IO's `payment_data` JSON back, checking the notice number and the ente's
    /// fiscal code.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, DeliveryError> {
        let unreadable = |why: String| {
            DeliveryError::Invalid(format!(
                "i dati di pagamento non sono leggibili ({}).",
                why.trim_end_matches('.')
            ))
        };
        let data = PaymentDataJson::deserialize(value).map_err(|e| unreadable(e.to_string()))?;
        Ok(PaymentData {
            amount_cents: data.amount,
            notice_number: NoticeNumber::parse(&data.notice_number)
                .map_err(|e| unreadable(e.to_string()))?,
            invalid_after_due_date: data.invalid_after_due_date,
            payee: EnteFiscalCode::parse(&data.payee.fiscal_code)
                .map_err(|e| unreadable(e.to_string()))?,
        })
    }
}

/// A message to one citizen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub fiscal_code: FiscalCode,
    /// 10 to 120 characters.
    pub subject: String,
    /// 80 to 10000 characters of Markdown (headings, bold, italic, lists).
    pub markdown: String,
    pub payment_data: Option<PaymentData>,
    /// A deadline the citizen can add to the calendar.
    pub due_date: Option<OffsetDateTime>,
    /// For how long IO tries to notify the citizen, in seconds (deprecated by IO).
    pub time_to_live: Option<u32>,
    pub feature_level: FeatureLevel,
}

impl Message {
    /// Checks what IO checks, so a message IO would refuse is never sent.
    pub fn validate(&self) -> Result<(), DeliveryError> {
        let invalid = |e: app_io::AppIoTextError| DeliveryError::Invalid(e.to_string());
        app_io::check_subject(&self.subject).map_err(invalid)?;
        app_io::check_markdown(&self.markdown).map_err(invalid)?;
        if let Some(payment) = &self.payment_data {
            if !(1..=MAX_AMOUNT_CENTS).contains(&payment.amount_cents) {
                return Err(DeliveryError::Invalid(format!(
                    "l'importo da pagare con App IO deve essere tra {} e {}.",
                    format::euro_cents(1),
                    format::euro_cents(MAX_AMOUNT_CENTS)
                )));
            }
        }
        if let Some(ttl) = self.time_to_live {
            if !TIME_TO_LIVE.contains(&ttl) {
                return Err(DeliveryError::Invalid(format!(
                    "il tempo di consegna su App IO deve essere tra {} e {} secondi.",
                    format::count(*TIME_TO_LIVE.start() as usize),
                    format::count(*TIME_TO_LIVE.end() as usize)
                )));
            }
        }
        Ok(())
    }

    /// The `NewMessage` IO takes.
    pub fn body(&self) -> serde_json::Value {
        let mut content = json!({
            "subject": self.subject,
            "markdown": self.markdown,
        });
        if let Some(payment) = &self.payment_data {
            content["payment_data"] = payment.to_json();
        }
        if let Some(due) = self.due_date {
            // IO's `Timestamp`: `2018-10-13T00:00:00.000Z`.
            let utc = due.to_offset(UtcOffset::UTC);
            content["due_date"] = json!(format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                utc.year(),
                u8::from(utc.month()),
                utc.day(),
                utc.hour(),
                utc.minute(),
                utc.second(),
                utc.millisecond()
            ));
        }
        let mut body = json!({
            "fiscal_code": self.fiscal_code.as_str(),
            "feature_level_type": self.feature_level.as_str(),
            "content": content,
        });
        if let Some(ttl) = self.time_to_live {
            body["time_to_live"] = json!(ttl);
        }
        body
    }
}

/// What IO says about a citizen, for the calling service (`LimitedProfile`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Profile {
    /// Whether the service may write to the citizen.
    pub sender_allowed: bool,
    /// The citizen's languages, e.g. `it_IT`.
    #[serde(default)]
    pub preferred_languages: Vec<String>,
}

/// IO's answer to a new message (`CreatedMessage`).
#[derive(Deserialize)]
struct CreatedMessage {
    id: String,
}

/// The App IO client of one service of a comune.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    subscription_key: HeaderValue,
}

impl Client {
    /// Builds the client; refuses a base URL that is not http(s) or an empty or
    /// unprintable API key.
    pub fn new(config: Config) -> Result<Self, DeliveryError> {
        let (http, base_url) = http_client(&config.base_url, config.timeout, "App IO")?;
        let key = config.subscription_key.expose_secret().trim();
        if key.is_empty() {
            return Err(DeliveryError::Config(
                "manca la chiave API del servizio App IO".into(),
            ));
        }
        let mut subscription_key = HeaderValue::from_str(key).map_err(|_| {
            DeliveryError::Config(
                "la chiave API del servizio App IO contiene caratteri non ammessi".into(),
            )
        })?;
        subscription_key.set_sensitive(true);
        Ok(Self {
            http,
            base_url,
            subscription_key,
        })
    }

    async fn post(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<reqwest::Response, DeliveryError> {
        self.http
            .post(format!("{}{path}", self.base_url))
            .header(SUBSCRIPTION_KEY_HEADER, self.subscription_key.clone())
            .header(ACCEPT, "application/json")
            .json(body)
            .send()
            .await
            .map_err(|source| DeliveryError::Unreachable {
                service: Service::AppIo,
                source,
            })
    }

    /// Whether the citizen is on IO, and may receive the service's messages.
    pub async fn profile(&self, fiscal_code: &FiscalCode) -> Result<Profile, DeliveryError> {
        let response = self
            .post("/profiles", &json!({"fiscal_code": fiscal_code.as_str()}))
            .await?;
        match response.status().as_u16() {
            200 => response
                .json()
                .await
                .map_err(|e| DeliveryError::Unavailable {
                    service: Service::AppIo,
                    status: 200,
                    retry_after: None,
                    detail: format!("unreadable LimitedProfile: {e}"),
                }),
            404 => Err(DeliveryError::NotOnIo),
            _ => Err(failure(response).await),
        }
    }

    /// Submits the message as it is, without asking about the citizen first: IO requires
    /// [`profile`](Self::profile) to have said `sender_allowed`, which [`send`](Self::send)
    /// does.
    pub async fn submit(&self, message: &Message) -> Result<Delivered, DeliveryError> {
        message.validate()?;
        let response = self.post("/messages", &message.body()).await?;
        if response.status().as_u16() != 201 {
            return Err(failure(response).await);
        }
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit('/').next())
            .map(str::to_string);
        // IO has taken the message: an unreadable body does not make it undelivered.
        let id = response.json::<CreatedMessage>().await.ok().map(|m| m.id);
        Ok(Delivered {
            provider_id: id.or(location).unwrap_or_default(),
        })
    }

    /// Delivers the message: checks it, asks IO whether the citizen may receive it from
    /// the service, then submits it.
    pub async fn send(&self, message: &Message) -> Result<Delivered, DeliveryError> {
        message.validate()?;
        if !self.profile(&message.fiscal_code).await?.sender_allowed {
            return Err(DeliveryError::SenderNotAllowed);
        }
        self.submit(message).await
    }
}

/// The error an unsuccessful IO answer means: a 403 is the service's key (not allowed to
/// write, or not to this recipient).
async fn failure(response: reqwest::Response) -> DeliveryError {
    let refusal = Refusal::read(response).await;
    match refusal.status {
        403 => DeliveryError::Unauthorized {
            service: Service::AppIo,
            status: refusal.status,
            detail: refusal.detail,
        },
        _ => refusal.into_error(Service::AppIo),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payment() -> PaymentData {
        PaymentData {
            amount_cents: 4760,
            notice_number: NoticeNumber::parse("301000000000000144").expect("valid"),
            invalid_after_due_date: true,
            payee: EnteFiscalCode::parse("00123450165").expect("valid"),
        }
    }

    #[test]
    fn payment_data_is_read_back_from_ios_json() {
        let json = payment().to_json();
        assert_eq!(PaymentData::from_json(&json).expect("readable"), payment());
        let mut without_flag = json.clone();
        without_flag
            .as_object_mut()
            .expect("an object")
            .remove("invalid_after_due_date");
        let read = PaymentData::from_json(&without_flag).expect("readable");
        assert!(!read.invalid_after_due_date);
    }

    #[test]
    fn unreadable_payment_data_says_why_in_italian() {
        let mut wrong = payment().to_json();
        wrong["notice_number"] = json!("301000000000000145");
        let error = PaymentData::from_json(&wrong).expect_err("check digits");
        assert!(error.is_permanent());
        assert!(
            error
                .to_string()
                .starts_with("Messaggio non inviato: i dati di pagamento non sono leggibili (Il numero avviso non è valido"),
            "{error}"
        );
        assert!(PaymentData::from_json(&json!({"amount": 100})).is_err());
    }
}
